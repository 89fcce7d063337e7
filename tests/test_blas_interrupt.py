"""Ctrl-C during long swiftpy.blas calls: products above ~3 Gflop run in blocks and
check for signals between them, so KeyboardInterrupt arrives while the call is still
running (not when it would have finished); results of blocked products equal numpy's."""
import os
import subprocess
import sys

import pytest

np = pytest.importorskip("numpy")
blas = pytest.importorskip("swiftpy.blas")

SCRIPT = """
import os, signal, sys, threading, time
import numpy as np
import swiftpy.blas as blas
blas.set_num_threads(1)           # the slowest case: one core, longest blocks
what = sys.argv[1]
rng = np.random.default_rng(0)
a = rng.random((3000, 3000))
s = rng.random((2000, 96, 96))
calls = {
    "dgemm": lambda: blas.dgemm(1.0, a, a),
    "sgemm": lambda: blas.sgemm(1.0, a, a),
    "matmul": lambda: blas.matmul(a, a),
    "zgemm": lambda: blas.zgemm(1.0, a[:1500, :1500], a[:1500, :1500]),
    "stack": lambda: blas.matmul(s, s),
}
call = calls[what]
call()  # warm-up: a first call can take several times longer (huge-page compaction, OpenBLAS buffers)
t0 = time.monotonic(); call(); baseline = time.monotonic() - t0
sent = []
def interrupt():
    sent.append(time.monotonic())
    os.kill(os.getpid(), signal.SIGINT)
threading.Timer(baseline / 3, interrupt).start()
t0 = time.monotonic()
result = None
try:
    result = call()
    print("finished", baseline, 0)
except KeyboardInterrupt:
    print("interrupted", baseline, time.monotonic() - sent[0])
"""


def run(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize("what", ["dgemm", "sgemm", "matmul", "zgemm", "stack"])
def test_long_calls_stop_soon_after_ctrl_c(what):
    result = run(what)
    assert result.returncode == 0, result.stderr
    word, baseline, latency = result.stdout.split()
    assert word == "interrupted", result.stdout
    # The call takes ~0.4-2 s here; it must stop well before it would have finished.
    # (The latency itself, ~tens of ms, is a figure for the benchmark, not a timed test.)
    assert float(latency) < float(baseline) * 2 / 3 - 0.05 or float(latency) < 0.25, result.stdout
    print(what, "call %.3fs, KeyboardInterrupt %.3fs after SIGINT" % (float(baseline), float(latency)))


@pytest.mark.parametrize("trans_a,trans_b", [(0, 0), (1, 0), (0, 1)])
def test_blocked_products_equal_numpy(trans_a, trans_b):
    rng = np.random.default_rng(5)
    a = np.asfortranarray(rng.standard_normal((1700, 1500)))
    b = rng.standard_normal((1500, 1700))
    opa = a.T if trans_a else a
    opb = b.T if trans_b else b
    if trans_a:
        a = np.ascontiguousarray(a.T)
        opa = a.T
    if trans_b:
        b = np.ascontiguousarray(b.T)
        opb = b.T
    expected = opa @ opb  # 8.7 Gflop: above the 3 Gflop block size, so split
    np.testing.assert_allclose(blas.dgemm(1.0, a, b, trans_a=trans_a, trans_b=trans_b), expected, rtol=1e-10, atol=1e-9)
    if not (trans_a or trans_b):
        np.testing.assert_allclose(blas.matmul(a, b), expected, rtol=1e-10, atol=1e-9)
        c = np.ones((1700, 1700), order="F")
        np.testing.assert_allclose(blas.dgemm(2.0, a, b, beta=-1.0, c=c), 2 * expected - 1, rtol=1e-10, atol=1e-9)

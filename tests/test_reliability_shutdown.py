"""Interpreter exit while daemon threads are inside detached swiftpy.zlib / swiftpy.blas
calls: no hang (subprocess timeout), no crash (exit status 0, no fatal error on stderr).

tests/test_shutdown.py covers swiftpy.demo; these are the zlib and BLAS variants: one-shot
and streaming (de)compression, parallel_compress (whose own worker threads are running),
checksums, gemm/matmul/gemv with OpenBLAS's thread pool busy, and objects collected during
finalization. Each script exits at several moments so that exit lands inside calls at
different stages.
"""
import os
import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import os, sys, threading, time
import numpy as np
import swiftpy.zlib as zlib
import swiftpy.blas as blas
DATA = os.urandom(1 << 16) * 128          # 8 MiB, compressible, above every threshold
PACKED = zlib.compress(bytes(64 << 20), 1)  # 64 MiB of zeros: long decompress
def spawn(target, n=3):
    for _ in range(n):
        threading.Thread(target=target, daemon=True).start()
"""

WORKLOADS = {
    "zlib-compress": """
        def work():
            while True:
                zlib.compress(DATA, 9)
        spawn(work)
    """,
    "zlib-decompress": """
        def work():
            while True:
                assert len(zlib.decompress(PACKED)) == 64 << 20
        spawn(work)
    """,
    "zlib-parallel": """
        def work():
            while True:
                zlib.parallel_compress(DATA, 6, threads=4, block_size=1 << 16)
        spawn(work)
    """,
    "zlib-streams-and-checksums": """
        shared = zlib.compressobj(9)
        def work():
            d = zlib.decompressobj()
            while True:
                shared.compress(DATA)
                zlib.crc32(DATA); zlib.adler32(DATA)
                d.decompress(PACKED[:1 << 16], 1 << 20)
        spawn(work, 4)
    """,
    "blas-gemm": """
        a = np.random.default_rng(0).random((900, 900))
        def work():
            while True:
                blas.dgemm(1.0, a, a)
                blas.matmul(a, a.T)
        spawn(work)
    """,
    "blas-threaded-openblas": """
        blas.set_num_threads(2)
        blas.set_oversubscription_guard(False)   # each call uses OpenBLAS's pool
        a = np.random.default_rng(0).random((1200, 1200)).astype(np.float32)
        x = np.ones(1200, dtype=np.float32)
        def work():
            while True:
                blas.sgemm(1.0, a, a, trans_b=1)
                blas.sgemv(1.0, a, x)
        spawn(work, 2)
    """,
    "mixed": """
        a = np.random.default_rng(0).random((700, 700))
        def zwork():
            while True:
                zlib.decompress(zlib.parallel_compress(DATA, 1, threads=2, block_size=1 << 16))
        def bwork():
            while True:
                blas.matmul(a, a)
        spawn(zwork, 2); spawn(bwork, 2)
    """,
}

EXIT = """
time.sleep({delay})
# Objects alive at exit are collected during finalization, with threads still running.
keep = [zlib.compressobj(), zlib.decompressobj(), blas.matmul(np.ones((3, 3)), np.ones((3, 3)))]
print("exiting", flush=True)
"""


def run_script(code, timeout=90):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("workload", WORKLOADS)
@pytest.mark.parametrize("delay", [0.05, 0.4])
def test_exit_while_daemon_threads_are_detached(workload, delay):
    code = PRELUDE + textwrap.dedent(WORKLOADS[workload]) + EXIT.format(delay=delay)
    result = run_script(code)  # a hang raises subprocess.TimeoutExpired
    assert result.returncode == 0, result.stderr[-3000:]
    assert "exiting" in result.stdout
    assert "Fatal" not in result.stderr and "crashed" not in result.stderr, result.stderr[-3000:]


def test_calls_from_atexit_and_finalizers_work():
    code = PRELUDE + textwrap.dedent("""
        import atexit
        def at_exit():
            assert zlib.decompress(zlib.compress(DATA)) == DATA
            assert np.allclose(blas.matmul(np.eye(50), np.eye(50)), np.eye(50))
            print("atexit ok", flush=True)
        atexit.register(at_exit)
        class Holder:
            def __init__(self):
                self.c = zlib.compressobj()
            def __del__(self):
                # Runs during finalization (module globals are cleared).
                self.c.compress(b"x" * 5000)
                self.c.flush()
        holder = Holder()
        cycle = [zlib.decompressobj()]
        cycle.append(cycle)   # only the final GC collects it
    """)
    result = run_script(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "atexit ok" in result.stdout
    assert "Exception ignored" not in result.stderr, result.stderr

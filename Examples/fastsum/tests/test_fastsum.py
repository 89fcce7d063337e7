"""Tests of the INSTALLED fastsum package (`pip install .`), run from outside the source tree."""
import array
import inspect
import math
import random
import sys
import threading

import pytest

import fastsum



def doubles(n, seed=1):
    rng = random.Random(seed)
    return array.array("d", (rng.uniform(-1.0, 1.0) for _ in range(n)))


def test_total_matches_math_fsum():
    data = doubles(100_003)
    assert fastsum.total(data) == pytest.approx(math.fsum(data), rel=1e-12, abs=1e-9)
    assert fastsum.total(array.array("d")) == 0.0
    assert fastsum.total(array.array("d", [1.5]), release_gil=False) == 1.5


def test_dot_and_scale():
    a, b = doubles(70_001, seed=2), doubles(70_001, seed=3)
    assert fastsum.dot(a, b) == pytest.approx(math.fsum(x * y for x, y in zip(a, b)), rel=1e-9, abs=1e-9)
    small = array.array("d", [1.0, 2.0, 3.0])
    fastsum.scale(small, 2.5)
    assert list(small) == [2.5, 5.0, 7.5]


def test_errors_are_python_exceptions():
    with pytest.raises(fastsum.ShapeError, match="lengths differ: 2 and 3"):
        fastsum.dot(array.array("d", [1, 2]), array.array("d", [1, 2, 3]))
    assert issubclass(fastsum.ShapeError, ValueError)
    with pytest.raises(TypeError, match="expected float64 data"):
        fastsum.total(array.array("i", [1, 2]))
    with pytest.raises(TypeError, match="a bytes-like object is required, not 'list'"):
        fastsum.total([1.0, 2.0])
    with pytest.raises(TypeError):  # bytes is read-only
        fastsum.scale(memoryview(bytes(16)).cast("d"), 2.0)
    assert fastsum.total(memoryview(bytearray(16)).cast("d")) == 0.0


def test_signatures():
    assert str(inspect.signature(fastsum.total)) == "(data, /, *, release_gil=True)"
    assert str(inspect.signature(fastsum.dot)) == "(a, b, /)"
    assert str(inspect.signature(fastsum.scale)) == "(data, /, factor)"


def test_numpy_arrays():
    numpy = pytest.importorskip("numpy")
    x = numpy.linspace(0.0, 1.0, 1_000_001)
    assert fastsum.total(x) == pytest.approx(x.sum(), rel=1e-12)
    assert fastsum.dot(x, x) == pytest.approx(x @ x, rel=1e-12)
    fastsum.scale(x, -1.0)
    assert x[-1] == -1.0
    with pytest.raises(TypeError, match="expected float64 data"):
        fastsum.total(x.astype(numpy.float32))
    with pytest.raises((BufferError, ValueError), match="contiguous"):
        fastsum.total(numpy.zeros((8, 8))[:, 1])


def progress_during_calls(release_gil, calls=8):
    """Runs fastsum.total on a big buffer `calls` times in a worker thread while this
    thread counts. Returns how often this thread counted while each call was running
    (read by the worker right before and right after the call).

    With the GIL held by the call, this thread cannot run at all in between; a long
    switch interval keeps the interpreter from handing the GIL over at the few bytecodes
    around the call, so the count is exactly 0. With the GIL released it is > 0."""
    data = array.array("d", bytes(8 * 4_000_000))  # 32 MB: each call takes milliseconds
    counter = 0
    progress = []
    done = threading.Event()

    def worker():
        for _ in range(calls):
            before = counter
            fastsum.total(data, release_gil=release_gil)
            progress.append(counter - before)
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(10.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        while not done.is_set():
            counter += 1
            done.wait(0.0002)  # sleeps with the GIL released, so the worker can start
        thread.join()
    finally:
        sys.setswitchinterval(old)
    return progress


def test_another_thread_runs_while_total_runs():
    assert sum(progress_during_calls(release_gil=True)) > 0


def test_control_no_progress_while_the_gil_is_held():
    # Proves the test above can fail: holding the GIL, no other thread runs.
    assert progress_during_calls(release_gil=False) == [0] * 8


def test_threads_compute_in_parallel_correctly():
    chunks = [doubles(200_000, seed=s) for s in range(8)]
    results = [None] * len(chunks)

    def run(i):
        results[i] = fastsum.total(chunks[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(chunks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [fastsum.total(c, release_gil=False) for c in chunks]


def test_two_swift_extensions_in_one_interpreter():
    """fastsum._native and swiftpy._native each link their own copy of the Swift runtime
    and of SwiftPy, and both export PyInit__native: loaded RTLD_LOCAL (Python's default),
    neither sees the other's symbols, and both work side by side."""
    swiftpy_zlib = pytest.importorskip("swiftpy.zlib")
    import swiftpy.demo

    payload = b"fastsum and swiftpy " * 1000
    assert swiftpy_zlib.decompress(swiftpy_zlib.compress(payload)) == payload
    assert swiftpy.demo.add(2, 3) == 5
    counter = swiftpy.demo.Counter(1)
    assert counter.add(2) == 3
    assert fastsum.total(array.array("d", [1.0, 2.0])) == 3.0
    with pytest.raises(fastsum.ShapeError):
        fastsum.dot(array.array("d", [1.0]), array.array("d"))
    with pytest.raises(swiftpy.demo.DemoError):
        swiftpy.demo.raise_error("x")
    assert fastsum._native.__file__ != swiftpy_zlib.__file__

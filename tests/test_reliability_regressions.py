"""Regression tests for the crashes found by the fuzzers and the reliability tests
(RELIABILITY.md, "Crashes found"). Each one killed the interpreter before its fix."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.linalg.blas as sblas

import swiftpy.blas as blas
import swiftpy.demo as demo

INT_MIN = -2 ** 63


def run(code, timeout=60):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env)


# 1. fuzz_blas: `Int(increment.magnitude)` trapped for incx/incy = -2**63 (elementCount,
#    vectorSlice, sliceLength), and `increment * rowStride` overflowed for a huge increment
#    when at most one element is used (PinnedArray.slice). Swift runtime failure: SIGILL.
@pytest.mark.parametrize("call", [
    lambda: blas.ddot(np.ones(3), np.ones(3), incx=INT_MIN),
    lambda: blas.ddot(np.ones(3), np.ones(3), n=1, incx=2 ** 62),
    lambda: blas.ddot(np.ones(3), np.ones(3), n=1, incx=1, incy=INT_MIN),
    lambda: blas.idamax(np.ones(3), incx=INT_MIN),
    lambda: blas.dasum(np.ones(3), n=1, incx=2 ** 62),
    lambda: blas.dscal(2.0, np.ones(3), n=1, incx=2 ** 62),
    lambda: blas.daxpy(np.ones(3), np.ones(3), n=1, incx=2 ** 62, incy=INT_MIN),
    lambda: blas.sdot(np.ones(3, np.float32), np.ones(3, np.float32), n=1, incy=-2 ** 62),
    lambda: blas.dgemv(1.0, np.ones((1, 1)), np.ones(1), incx=2 ** 62, incy=INT_MIN),
    lambda: blas.sgemv(1.0, np.ones((1, 2)), np.ones(2), incy=INT_MIN),
])
def test_huge_increments_do_not_trap(call):
    try:
        call()
    except (ValueError, OverflowError, MemoryError):
        pass


def test_huge_increments_follow_scipy():
    x, y = np.arange(1.0, 4.0), np.arange(4.0, 7.0)
    # n defaults to (len - offx) // |incx|: 0 elements for any huge increment.
    assert blas.ddot(x, y, incx=INT_MIN) == 0.0
    assert blas.idamax(x, incx=INT_MIN) == -1
    # With one element the increment is never used (scipy accepts any).
    assert blas.ddot(x, y, n=1, incx=2 ** 62) == sblas.ddot(x, y, n=1, incx=2 ** 30) == 4.0
    np.testing.assert_array_equal(blas.dscal(2.0, x.copy(), n=1, incx=2 ** 62), [2.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="x is too short"):
        blas.ddot(x, y, n=2, incx=INT_MIN)


# 2. fuzz_blas: scipy's default y of gemv is offy + (n-1)*|incy| + 1 long; a huge offy/incy
#    made a huge allocation, and a failed Swift allocation aborts the process. Now it is a
#    MemoryError, like numpy's "Unable to allocate" in scipy.
@pytest.mark.parametrize("kwargs", [dict(offy=2 ** 58), dict(incy=INT_MIN), dict(incy=2 ** 60)])
def test_gemv_default_y_too_large_is_memory_error(kwargs):
    with pytest.raises(MemoryError):
        blas.dgemv(1.0, np.ones((2, 2)), np.ones(2), **kwargs)


def test_huge_result_buffer_is_memory_error():
    with pytest.raises(MemoryError):
        demo.matrix(1 << 30, 1 << 20)  # 8 PiB: malloc fails


# 3. test_reliability_shutdown: interpreter exit while daemon threads were inside BLAS
#    calls: OpenBLAS's library destructor (gotoblas_quit, run by exit() after Py_Finalize)
#    unmapped the buffers those calls were using: SIGSEGV in libopenblas. Fixed by
#    BLASExitGuard (an atexit handler that waits for running detached BLAS calls).
def test_exit_during_blas_calls_does_not_crash():
    for _ in range(3):
        result = run("""
            import threading, time
            import numpy as np
            import swiftpy.blas as blas
            a = np.random.default_rng(0).random((900, 900))
            def work():
                while True:
                    blas.dgemm(1.0, a, a)
            for _ in range(3):
                threading.Thread(target=work, daemon=True).start()
            time.sleep(0.3)
        """)
        assert result.returncode == 0, result.stderr[-2000:]


# 4. ASan run of the Swift tests (EmbeddingTests): `Python.attach` treated "some thread
#    holds the GIL" as "this thread holds the GIL". Before 3.12, _PyThreadState_UncheckedGet
#    returns the GIL HOLDER's thread state (process-wide), not the calling thread's, so a
#    Swift thread attaching while another Python thread ran Python code skipped
#    PyGILState_Ensure and ran Python without the GIL: heap corruption, SIGSEGV in the GC.
def test_exception_from_a_swift_thread_callback_is_released_with_the_gil():
    # The same bug, found by fuzz_args: the worker thread that ran a raising callback
    # releases the caught exception (CaughtException.deinit -> Python.attach(to:)) while the
    # main thread already runs Python again, so the Py_DECREF happened without the GIL.
    try:
        result = run(RAISING_CALLBACK_SCRIPT, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("hung")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


RAISING_CALLBACK_SCRIPT = """
        import time
        import swiftpy.demo as demo
        def raiser():
            raise ValueError("x" * 100)
        end = time.time() + 3
        while time.time() < end:
            try:
                demo.call_from_thread(raiser)
            except ValueError:
                pass
            junk = [{i: str(i)} for i in range(200)]   # the main thread runs Python meanwhile
        print("ok")
"""


# 5. Exit while a Swift thread is attached (RELIABILITY.md, crash 6): tests/test_exit_with_swift_threads.py,
#    which runs on every interpreter of CI's matrix.


def test_attach_from_a_swift_thread_while_another_thread_holds_the_gil():
    try:
        result = run(ATTACH_SCRIPT, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("hung (the crash handler or a corrupted interpreter never finished)")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


ATTACH_SCRIPT = """
        import threading, time
        import swiftpy.demo as demo
        stop = False
        def busy():                      # holds the GIL most of the time
            d = {}
            while not stop:
                for i in range(1000):
                    d[i] = [i] * 3
                d.clear()
        threading.Thread(target=busy, daemon=True).start()
        shared = []
        def callback():                  # runs on a Dispatch thread through Python.attach
            for i in range(2000):
                shared.append({i: str(i)})
            del shared[:]
            return 1
        end = time.time() + 3
        while time.time() < end:
            assert demo.call_from_thread(callback) == 1
        stop = True
        print("ok")
"""

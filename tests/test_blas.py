"""swiftpy.blas against numpy and scipy.linalg.blas."""
import array
import threading

import pytest

np = pytest.importorskip("numpy")
sblas = pytest.importorskip("scipy.linalg.blas")
blas = pytest.importorskip("swiftpy.blas")

RNG = np.random.default_rng(1234)
DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}


def rand(shape, dtype=np.float64, order="C"):
    return np.asarray(RNG.standard_normal(shape), dtype=dtype, order=order)


FLAGS = ("C_CONTIGUOUS", "F_CONTIGUOUS", "WRITEABLE", "ALIGNED")


def close(actual, expected, dtype=np.float64, flags=True):
    """Values within rounding; when the reference is an ndarray, also the same type, dtype,
    shape and flags (OWNDATA aside: our results are memory numpy wraps, not numpy's own)."""
    if flags and isinstance(expected, np.ndarray):
        assert type(actual) is np.ndarray, type(actual)
        assert actual.dtype == expected.dtype and actual.shape == expected.shape
        assert {f: actual.flags[f] for f in FLAGS} == {f: expected.flags[f] for f in FLAGS}
    actual = np.asarray(actual)
    assert actual.shape == np.shape(expected)
    np.testing.assert_allclose(actual, expected, **TOL.get(np.dtype(dtype).type, TOL[np.float64]))


def variant(name, dtype):
    prefix = "d" if dtype == np.float64 else "s"
    if name == "iamax":
        return getattr(blas, f"i{prefix}amax"), getattr(sblas, f"i{prefix}amax")
    return getattr(blas, prefix + name), getattr(sblas, prefix + name)


SHAPES = [(1, 1, 1), (1, 7, 1), (5, 1, 3), (3, 4, 5), (1, 6, 9), (9, 6, 1), (0, 3, 4), (3, 0, 4), (3, 4, 0),
          (17, 33, 25), (64, 64, 64)]


# ---------------------------------------------------------------- matmul

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", SHAPES)
@pytest.mark.parametrize("orders", ["CC", "CF", "FC", "FF"])
def test_matmul_matches_numpy(dtype, m, k, n, orders):
    a, b = rand((m, k), dtype, orders[0]), rand((k, n), dtype, orders[1])
    close(blas.matmul(a, b), np.matmul(a, b), dtype)


def test_matmul_result_is_our_memory_wrapped_without_copy():
    a, b = rand((3, 4)), rand((4, 2))
    result = blas.matmul(a, b)
    assert type(result) is np.ndarray and not result.flags.owndata
    owner = result.base.obj  # numpy wraps a memoryview of our Buffer
    assert isinstance(owner, blas.Buffer)
    assert owner.shape == (3, 2) and owner.format == "d" and owner.strides == (16, 8)
    assert np.shares_memory(result, np.asarray(owner))
    assert result.ctypes.data % 64 == 0
    result[0, 0] = 42.0  # writable, like numpy's own results
    assert np.asarray(owner)[0, 0] == 42.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_transposed_and_strided_views(dtype):
    a, b = rand((6, 8), dtype), rand((10, 12), dtype)
    close(blas.matmul(a.T, a), a.T @ a, dtype)
    close(blas.matmul(a[::2, 1::3], b[:3:, ::-2].T[:3]), a[::2, 1::3] @ b[:3:, ::-2].T[:3], dtype)
    close(blas.matmul(a[:, ::-1], b[::-1, :8].T), a[:, ::-1] @ b[::-1, :8].T, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_vectors(dtype):
    a, x, y = rand((5, 3), dtype), rand(3, dtype), rand(5, dtype)
    close(blas.matmul(a, x), a @ x, dtype)
    close(blas.matmul(y, a), y @ a, dtype)
    close(blas.matmul(a, x[::-1]), a @ x[::-1], dtype)
    got, expected = blas.matmul(x, x), np.matmul(x, x)
    assert type(got) is type(expected)  # a numpy scalar of the dtype, as numpy returns
    assert got == pytest.approx(expected, rel=1e-5)


def test_matmul_mixed_dtypes_and_other_exporters():
    a32, b64 = rand((3, 4), np.float32), rand((4, 2))
    close(blas.matmul(a32, b64), np.matmul(a32, b64))
    mv = memoryview(rand((4, 2)))
    close(blas.matmul(rand((1, 4)) * 0 + 1, mv), np.ones((1, 4)) @ np.asarray(mv))
    v = array.array("d", [1.0, 2.0, 3.0])
    close(blas.matmul(np.eye(3), v), [1.0, 2.0, 3.0])
    close(blas.matmul([[1.0, 2.0], [3.0, 4.0]], [[1.0], [1.0]]), [[3.0], [7.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_out(dtype):
    a, b = rand((4, 5), dtype), rand((5, 3), dtype)
    for order in "CF":
        out = np.full((4, 3), np.nan, dtype=dtype, order=order)
        assert blas.matmul(a, b, out=out) is out
        close(out, a @ b, dtype, flags=False)
    big = np.zeros((8, 6), dtype=dtype)
    blas.matmul(a, b, out=big[::2, ::2])
    close(big[::2, ::2], a @ b, dtype, flags=False)
    assert not big[1::2].any()
    vec = np.zeros(4, dtype=dtype)
    blas.matmul(a, b[:, 0].copy(), out=vec)
    close(vec, a @ b[:, 0], dtype, flags=False)


def test_matmul_nan_and_inf_propagate():
    a = np.array([[np.nan, 1.0], [1.0, 1.0]])
    b = np.array([[1.0, 0.0], [np.inf, 1.0]])
    np.testing.assert_array_equal(np.isnan(np.asarray(blas.matmul(a, b))), np.isnan(a @ b))
    np.testing.assert_array_equal(np.isinf(np.asarray(blas.matmul(a, b))), np.isinf(a @ b))


@pytest.mark.parametrize("args,exc,match", [
    ((np.ones((2, 3)), np.ones((4, 2))), ValueError, "mismatch in its core dimension 0"),
    ((np.ones((2, 3)), np.ones(4)), ValueError, "size 4 is different from 3"),
    ((np.float64(1.0), np.ones((2, 2))), ValueError, "does not have enough dimensions"),
    ((np.ones((2, 2), dtype=np.int64), np.ones((2, 2))), TypeError, "unsupported dtype"),
    ((np.ones((2, 2), dtype=np.float16), np.ones((2, 2))), TypeError, "unsupported dtype"),
    ((b"abcd", np.ones((2, 2))), TypeError, "unsupported dtype"),
    ((None, np.ones((2, 2))), TypeError, "must be an array"),
    (("text", np.ones((2, 2))), TypeError, "cannot convert|expected an array"),
])
def test_matmul_bad_inputs(args, exc, match):
    with pytest.raises(exc, match=match):
        blas.matmul(*args)


def test_matmul_bad_out():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    readonly = np.zeros((2, 4))
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        blas.matmul(a, b, out=readonly)
    with pytest.raises(ValueError, match=r"out has shape \(4, 2\), expected \(2, 4\)"):
        blas.matmul(a, b, out=np.zeros((4, 2)))
    with pytest.raises(TypeError, match="Cannot cast ufunc 'matmul' output"):
        blas.matmul(a * 1j, b, out=np.zeros((2, 4)))
    with pytest.raises(TypeError, match="expected a float64 array"):
        blas.matmul(a, b, out=np.zeros((2, 4), dtype=np.int64))
    with pytest.raises(TypeError, match="writable"):
        blas.matmul(a, b, out=[[0.0] * 4] * 2)
    square = np.ones((3, 3))
    with pytest.raises(ValueError, match="shares memory"):
        blas.matmul(square, np.ones((3, 3)), out=square)
    with pytest.raises(ValueError, match="shares memory"):
        blas.matmul(square[:, :2].T.copy(), square, out=square[:2])
    with pytest.raises(ValueError, match="elements that share memory"):
        blas.matmul(a, b, out=np.lib.stride_tricks.as_strided(np.zeros(4), (2, 4), (0, 8), writeable=True))


# ---------------------------------------------------------------- gemm

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,k,n", SHAPES)
@pytest.mark.parametrize("trans_a,trans_b", [(0, 0), (1, 0), (0, 1), (2, 2)])
def test_gemm_matches_scipy(dtype, m, k, n, trans_a, trans_b):
    ours, ref = variant("gemm", dtype)
    a = rand((k, m) if trans_a else (m, k), dtype, "F" if m % 2 else "C")
    b = rand((n, k) if trans_b else (k, n), dtype)
    c = rand((m, n), dtype)
    for kwargs in [dict(), dict(beta=0.5, c=c), dict(beta=0.0, c=c)]:
        if m and n:
            expected = ref(1.5, a, b, trans_a=trans_a, trans_b=trans_b, **kwargs)
        else:  # scipy refuses empty outputs; numpy defines them
            expected = 1.5 * (a.T if trans_a else a) @ (b.T if trans_b else b) + kwargs.get("beta", 0) * c
        got = ours(1.5, a, b, trans_a=trans_a, trans_b=trans_b, **kwargs)
        if not (m and n):
            expected = np.asfortranarray(expected, dtype=dtype)
        close(got, expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_conversions_and_overwrite(dtype):
    ours, ref = variant("gemm", dtype)
    other = np.float64 if dtype == np.float32 else np.float32
    a, b = rand((4, 3), other), rand((3, 5))
    close(ours(1.0, a, b), ref(1.0, a, b), dtype)
    close(ours(1.0, a[::2], b[:, ::2]), ref(1.0, a[::2], b[:, ::2]), dtype)
    close(ours(1.0, [[1, 2], [3, 4]], [[1], [1]]), ref(1.0, [[1, 2], [3, 4]], [[1], [1]]), dtype)
    ints = np.arange(6).reshape(2, 3)
    close(ours(2.0, ints, ints.T), ref(2.0, ints, ints.T), dtype)
    a, b = rand((4, 3), dtype), rand((3, 5), dtype)
    c = rand((4, 5), dtype, "F")
    saved = c.copy()
    expected = ref(1.0, a, b, beta=2.0, c=saved)
    assert ours(1.0, a, b, beta=2.0, c=c) is not c  # not overwritten by default
    np.testing.assert_array_equal(c, saved)
    assert ours(1.0, a, b, beta=2.0, c=c, overwrite_c=1) is c  # Fortran-ordered: in place
    close(c, expected, dtype)
    cc = rand((4, 5), dtype, "C")
    saved = cc.copy()
    assert ours(1.0, a, b, beta=2.0, c=cc, overwrite_c=1) is not cc  # as scipy: C order is copied
    np.testing.assert_array_equal(cc, saved)


def test_gemm_beta_zero_ignores_nan_in_c():
    c = np.full((2, 2), np.nan)
    close(blas.dgemm(1.0, np.eye(2), np.eye(2), beta=0.0, c=c), sblas.dgemm(1.0, np.eye(2), np.eye(2), beta=0.0, c=c))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: blas.dgemm(1.0, np.ones((2, 3)), np.ones((2, 3))), ValueError, r"shapes \(2, 3\) and \(2, 3\) not aligned"),
    (lambda: blas.dgemm(1.0, np.ones((2, 3)), np.ones((3, 4)), c=np.ones((3, 3))), ValueError, r"c has shape \(3, 3\), expected \(2, 4\)"),
    (lambda: blas.dgemm(1.0, np.ones(3), np.ones((3, 4))), ValueError, "a must be a 2-D array"),
    (lambda: blas.dgemm(1.0, np.ones((2, 3)), np.ones((3, 4)), trans_a=3), ValueError, "trans_a must be 0, 1 or 2"),
    (lambda: blas.dgemm(1.0, np.ones((2, 2, 2)), np.ones((2, 2))), ValueError, "at most 2 dimensions"),
    (lambda: blas.sgemm(1.0, "ab", np.ones((2, 2))), TypeError, "cannot convert|expected an array"),
    (lambda: blas.dgemm("x", np.ones((2, 2)), np.ones((2, 2))), TypeError, "real number"),
])
def test_gemm_bad_inputs(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_complex_input_to_real_routines_warns_and_drops_the_imaginary_part_as_scipy():
    a = np.array([[1 + 2j, 3], [4, 5 - 1j]])
    with pytest.warns(np.exceptions.ComplexWarning):
        expected = sblas.dgemm(1.0, a, np.eye(2))
    with pytest.warns(np.exceptions.ComplexWarning, match="discards the imaginary part"):
        got = blas.dgemm(1.0, a, np.eye(2))
    close(got, expected)
    with pytest.warns(np.exceptions.ComplexWarning):
        assert blas.ddot(a[0], a[0]) == sblas.ddot(a[0], a[0])


def test_signatures_match_scipy():
    import inspect
    sig = inspect.signature(blas.dgemm)
    assert list(sig.parameters) == ["alpha", "a", "b", "beta", "c", "trans_a", "trans_b", "overwrite_c"]
    assert sig.parameters["beta"].default == 0.0 and sig.parameters["c"].default is None
    assert list(inspect.signature(blas.dgemv).parameters) == [
        "alpha", "a", "x", "beta", "y", "offx", "incx", "offy", "incy", "trans", "overwrite_y"]
    assert list(inspect.signature(blas.daxpy).parameters) == ["x", "y", "n", "a", "offx", "incx", "offy", "incy"]
    assert list(inspect.signature(blas.sscal).parameters) == ["a", "x", "n", "offx", "incx"]
    for name in ["nrm2", "asum"]:
        assert list(inspect.signature(getattr(blas, "d" + name)).parameters) == ["x", "n", "offx", "incx"]


# ---------------------------------------------------------------- gemv

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n", [(1, 1), (1, 5), (5, 1), (4, 7), (30, 20)])
@pytest.mark.parametrize("trans", [0, 1])
def test_gemv_matches_scipy(dtype, m, n, trans):
    ours, ref = variant("gemv", dtype)
    a = rand((m, n), dtype, "F" if n % 2 else "C")
    rows, cols = (n, m) if trans else (m, n)
    x = rand(cols * 2 + 1, dtype)
    y = rand(rows * 3 + 2, dtype)
    cases = [dict(), dict(incx=2), dict(offx=1), dict(incx=-2),
             dict(beta=0.5, y=y), dict(beta=0.5, y=y, incy=3, offy=1), dict(beta=0.5, y=y, incy=-3), dict(incy=2, offy=1)]
    for kwargs in cases:
        xx = x if kwargs.get("incx", 1) != 1 or "offx" in kwargs else x[:cols]
        yy_kwargs = dict(kwargs)
        if "y" in kwargs and "incy" not in kwargs:
            yy_kwargs["y"] = y[:rows]
        expected = ref(0.75, a, xx, trans=trans, **yy_kwargs)
        got = ours(0.75, a, xx, trans=trans, **yy_kwargs)
        close(got, expected, dtype)


def test_gemv_overwrite_and_errors():
    a, x = rand((3, 4)), rand(4)
    y = rand(3)
    expected = sblas.dgemv(1.0, a, x, beta=1.0, y=y.copy())
    assert blas.dgemv(1.0, a, x, beta=1.0, y=y) is not y
    assert blas.dgemv(1.0, a, x, beta=1.0, y=y, overwrite_y=1) is y
    close(y, expected)
    with pytest.raises(ValueError, match="x is too short"):
        blas.dgemv(1.0, a, np.ones(3))
    with pytest.raises(ValueError, match="incx must not be 0"):
        blas.dgemv(1.0, a, x, incx=0)
    with pytest.raises(ValueError, match="y is too short"):
        blas.dgemv(1.0, a, x, y=np.ones(2))
    with pytest.raises(ValueError, match="a must be a 2-D array"):
        blas.dgemv(1.0, x, x)


# ---------------------------------------------------------------- level 1

LEVEL1_CASES = [dict(), dict(incx=2), dict(offx=3), dict(n=5, offx=2, incx=3), dict(n=0), dict(incx=-2), dict(incx=-1, n=7)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", LEVEL1_CASES)
def test_level1_reductions_match_scipy(dtype, kwargs):
    x = rand(23, dtype)
    x[11] = 9.0  # a clear maximum
    for name in ["nrm2", "asum", "iamax"]:
        ours, ref = variant(name, dtype)
        if name == "nrm2" and kwargs.get("incx", 1) < 0:
            with pytest.raises(ValueError, match="incx must be positive"):
                ours(x, **kwargs)
            continue
        expected, got = ref(x, **kwargs), ours(x, **kwargs)
        assert type(got) is type(expected)
        assert got == pytest.approx(expected, rel=1e-5), name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", LEVEL1_CASES + [dict(incy=-1), dict(offy=2, incy=2, n=4), dict(incx=2, incy=-3, n=6)])
def test_level1_dot_axpy_scal_match_scipy(dtype, kwargs):
    x, y = rand(23, dtype), rand(23, dtype)
    ours, ref = variant("dot", dtype)
    assert ours(x, y, **kwargs) == pytest.approx(ref(x, y, **kwargs), rel=1e-4, abs=1e-5)
    ours, ref = variant("axpy", dtype)
    y1, y2 = y.copy(), y.copy()
    r1, r2 = ours(x, y1, a=-1.25, **kwargs), ref(x, y2, a=-1.25, **kwargs)
    assert r1 is y1 and r2 is y2
    close(y1, y2, dtype)
    ours, ref = variant("scal", dtype)
    sx = {k: v for k, v in kwargs.items() if "y" not in k}
    x1, x2 = x.copy(), x.copy()
    assert ours(2.5, x1, **sx) is x1
    ref(2.5, x2, **sx)
    close(x1, x2, dtype)


def test_level1_conversions_return_new_arrays():
    x = np.arange(5.0)
    ylist = [1.0, 2.0, 3.0, 4.0, 5.0]
    close(blas.daxpy(x, ylist), sblas.daxpy(x, ylist))
    assert ylist == [1.0, 2.0, 3.0, 4.0, 5.0]
    y32 = np.ones(5, np.float32)
    result = blas.daxpy(x, y32)
    assert (y32 == 1).all()
    close(result, sblas.daxpy(x, np.ones(5, np.float32)))
    strided = np.arange(10.0)[::2]
    result = blas.dscal(2.0, strided)
    assert result is not strided
    close(result, sblas.dscal(2.0, np.arange(10.0)[::2]))
    close(strided, np.arange(10.0)[::2])
    assert blas.ddot(array.array("i", [1, 2, 3]), [1, 1, 1]) == 6.0
    assert blas.idamax(memoryview(array.array("f", [1.0, -5.0, 2.0]))) == 1
    assert blas.dnrm2(np.arange(4.0).astype(">f8")) == pytest.approx(float(np.linalg.norm(np.arange(4.0))))


@pytest.mark.parametrize("call,match", [
    (lambda: blas.ddot(np.ones(5), np.ones(3)), "y is too short"),
    (lambda: blas.ddot(np.ones(5), np.ones(5), incx=0), "incx must not be 0"),
    (lambda: blas.dnrm2(np.ones(5), n=10), "x is too short"),
    (lambda: blas.dnrm2(np.ones(5), offx=5), "offx must satisfy"),
    (lambda: blas.idamax(np.zeros(0)), "offx must satisfy"),
    (lambda: blas.daxpy(np.ones(5), np.ones(3)), "y is too short"),
    (lambda: blas.dasum(np.ones((2, 2))), "must be a 1-D array"),
])
def test_level1_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------- threads

def test_num_threads_roundtrip():
    before = blas.get_num_threads()
    try:
        blas.set_num_threads(1)
        assert blas.get_num_threads() == 1
        with pytest.raises(ValueError):
            blas.set_num_threads(0)
    finally:
        blas.set_num_threads(before)
    assert blas.get_num_threads() == before


def test_threadpoolctl_sees_and_limits_our_openblas():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    info = threadpoolctl.threadpool_info()
    assert any(entry.get("internal_api") == "openblas" for entry in info)
    before = blas.get_num_threads()
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        assert blas.get_num_threads() == 1
    assert blas.get_num_threads() == before


# After a multithreaded product, OpenBLAS's idle workers spin (sched_yield in a loop) for
# its thread timeout before they sleep: 2**28 cycles (~0.1 s) by default, which took a core
# from concurrent callers running one thread each. swiftpy sets 2**21 for its own OpenBLAS
# when it loads it, unless the user set a value, and leaves the environment as it was.
IDLE_CPU = """
import os, resource, sys, time
import swiftpy.blas as blas
print(os.environ.get("OPENBLAS_THREAD_TIMEOUT"))
n = 512  # 512**3 > OpenBLAS's threading threshold
a = memoryview(bytearray(8 * n * n)).cast("d", (n, n))
blas.set_num_threads(2)
blas.dgemm(1.0, a, a)
before = resource.getrusage(resource.RUSAGE_SELF)
time.sleep(0.3)
after = resource.getrusage(resource.RUSAGE_SELF)
print(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
"""


def _idle_cpu_after_a_product(env_timeout=None):
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT")}
    if env_timeout is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = env_timeout
    out = subprocess.run([sys.executable, "-c", IDLE_CPU], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    seen, cpu = out.stdout.split()
    return seen, float(cpu)


def test_idle_openblas_workers_stop_spinning_soon_after_a_product():
    import os
    if (os.cpu_count() or 1) < 2:
        pytest.skip("OpenBLAS runs one thread on one core")
    seen, cpu = _idle_cpu_after_a_product()
    assert seen == "None"  # the environment is restored
    # The default 2**28 cycles spins ~0.1 s (0.11-0.116 s of CPU here, idle or loaded);
    # 2**21 cycles measured 0.0004-0.052 s (the most on a loaded machine).
    assert cpu < 0.075, cpu


def test_a_thread_timeout_the_user_set_is_kept():
    seen, _ = _idle_cpu_after_a_product(env_timeout="28")
    assert seen == "28"


def test_two_threads_compute_concurrently_and_correctly():
    n = 200
    mats = [(rand((n, n)), rand((n, n))) for _ in range(2)]
    expected = [a @ b for a, b in mats]
    errors = []
    barrier = threading.Barrier(2)

    def work(i):
        a, b = mats[i]
        barrier.wait()
        for _ in range(10):
            got = np.asarray(blas.dgemm(1.0, a, b))
            if not np.allclose(got, expected[i], rtol=1e-10, atol=1e-10):
                errors.append(i)
            out = np.empty((n, n))
            blas.matmul(a, b, out=out)
            if not np.allclose(out, expected[i], rtol=1e-10, atol=1e-10):
                errors.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert blas.calls_in_flight() == 0
    assert blas.get_num_threads() >= 1


def test_large_calls_release_the_gil():
    # A Python thread keeps counting while a large dgemm runs, far more than while the
    # same call runs with the GIL held (gil_probe explains why both runs are needed).
    # One BLAS thread, so the counter has a core of its own while the product runs.
    from gil_probe import assert_releases_gil
    a, b = rand((1000, 1000)), rand((1000, 1000))
    before = blas.get_num_threads()
    blas.set_num_threads(1)
    try:
        assert_releases_gil(lambda: blas.dgemm(1.0, a, b))
        assert_releases_gil(lambda: blas.matmul(a, b))
    finally:
        blas.set_num_threads(before)


def test_small_calls_keep_the_gil_threshold():
    assert blas.GIL_RELEASE_FLOPS == 100_000

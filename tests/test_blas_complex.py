"""Complex routines of swiftpy.blas against scipy.linalg.blas (c/z variants) and complex
matmul against numpy.matmul: types, dtypes, shapes, flags and values on random cases."""
import inspect

import pytest

np = pytest.importorskip("numpy")
sblas = pytest.importorskip("scipy.linalg.blas")
blas = pytest.importorskip("swiftpy.blas")

RNG = np.random.default_rng(77)
FLAGS = ("C_CONTIGUOUS", "F_CONTIGUOUS", "WRITEABLE", "ALIGNED")
CTYPES = {"c": np.complex64, "z": np.complex128}
TOL = {np.complex64: dict(rtol=3e-5, atol=3e-5), np.complex128: dict(rtol=1e-12, atol=1e-12)}


def crand(shape, dtype=np.complex128, order="C"):
    values = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
    return np.asarray(values, dtype=dtype, order=order)


def same(got, expected, dtype):
    assert type(got) is type(expected), (type(got), type(expected))
    if isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert {f: got.flags[f] for f in FLAGS} == {f: expected.flags[f] for f in FLAGS}
    np.testing.assert_allclose(got, expected, **TOL[dtype])


def pair(prefix, name):
    return getattr(blas, prefix + name), getattr(sblas, prefix + name)


@pytest.mark.parametrize("prefix", ["c", "z"])
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (3, 4, 5), (17, 9, 12), (6, 1, 3)])
@pytest.mark.parametrize("trans_a,trans_b", [(0, 0), (1, 0), (0, 2), (2, 1), (2, 2)])
def test_gemm(prefix, m, k, n, trans_a, trans_b):
    dtype = CTYPES[prefix]
    ours, ref = pair(prefix, "gemm")
    a = crand((k, m) if trans_a else (m, k), dtype, "F" if m % 2 else "C")
    b = crand((n, k) if trans_b else (k, n), dtype)
    c = crand((m, n), dtype, "F")
    for kwargs in [dict(), dict(beta=0.5 - 1j, c=c), dict(beta=2, c=c[::-1])]:
        same(ours(1.5 + 0.25j, a, b, trans_a=trans_a, trans_b=trans_b, **kwargs),
             ref(1.5 + 0.25j, a, b, trans_a=trans_a, trans_b=trans_b, **kwargs), dtype)


@pytest.mark.parametrize("prefix", ["c", "z"])
def test_gemm_conversions_and_overwrite(prefix):
    dtype = CTYPES[prefix]
    ours, ref = pair(prefix, "gemm")
    a, b = RNG.standard_normal((3, 4)), [[1, 2j], [3, 4], [5, 6], [7, 8j]]  # real array, list
    same(ours(1j, a, b), ref(1j, a, b), dtype)
    c = crand((3, 2), dtype, "F")
    expected = ref(1.0, a, b, beta=1j, c=c.copy())
    assert ours(1.0, a, b, beta=1j, c=c, overwrite_c=1) is c
    np.testing.assert_allclose(c, expected, **TOL[dtype])


@pytest.mark.parametrize("prefix", ["c", "z"])
@pytest.mark.parametrize("trans", [0, 1, 2])
def test_gemv(prefix, trans):
    dtype = CTYPES[prefix]
    ours, ref = pair(prefix, "gemv")
    a = crand((5, 7), dtype, "F")
    rows, cols = (7, 5) if trans else (5, 7)
    x, y = crand(cols * 2 + 1, dtype), crand(rows * 3 + 1, dtype)
    for kwargs in [dict(), dict(incx=2), dict(incx=-2), dict(beta=1j, y=y, incy=3), dict(beta=0.5, y=y, incy=-3, offy=1)]:
        xx = x if "incx" in kwargs else x[:cols]
        same(ours(0.5 - 2j, a, xx, trans=trans, **kwargs), ref(0.5 - 2j, a, xx, trans=trans, **kwargs), dtype)
    yy = y[:rows].copy()
    expected = ref(1.0, a, x[:cols], beta=1.0, y=yy.copy(), trans=trans)
    assert ours(1.0, a, x[:cols], beta=1.0, y=yy, trans=trans, overwrite_y=1) is yy
    np.testing.assert_allclose(yy, expected, **TOL[dtype])


LEVEL1 = [dict(), dict(incx=2), dict(offx=3), dict(n=5, offx=2, incx=3), dict(n=0)]


@pytest.mark.parametrize("prefix", ["c", "z"])
@pytest.mark.parametrize("kwargs", LEVEL1 + [dict(incx=-2), dict(incy=-1), dict(offy=2, incy=2, n=4)])
def test_dots_and_axpy(prefix, kwargs):
    dtype = CTYPES[prefix]
    x, y = crand(23, dtype), crand(23, dtype)
    for name in ["dotu", "dotc"]:
        ours, ref = pair(prefix, name)
        got, expected = ours(x, y, **kwargs), ref(x, y, **kwargs)
        assert type(got) is type(expected) is complex
        assert got == pytest.approx(expected, rel=1e-4, abs=1e-5)
    ours, ref = pair(prefix, "axpy")
    y1, y2 = y.copy(), y.copy()
    assert ours(x, y1, a=2 - 1j, **kwargs) is y1
    ref(x, y2, a=2 - 1j, **kwargs)
    np.testing.assert_allclose(y1, y2, **TOL[dtype])


@pytest.mark.parametrize("prefix,norm", [("c", "scnrm2"), ("z", "dznrm2")])
@pytest.mark.parametrize("kwargs", LEVEL1)
def test_scal_and_nrm2(prefix, norm, kwargs):
    dtype = CTYPES[prefix]
    x = crand(23, dtype)
    ours, ref = pair(prefix, "scal")
    x1, x2 = x.copy(), x.copy()
    assert ours(1j - 0.5, x1, **kwargs) is x1
    ref(1j - 0.5, x2, **kwargs)
    np.testing.assert_allclose(x1, x2, **TOL[dtype])
    got, expected = getattr(blas, norm)(x, **kwargs), getattr(sblas, norm)(x, **kwargs)
    assert type(got) is type(expected) is float
    assert got == pytest.approx(expected, rel=1e-5)
    # A list or a real array is converted into a new complex array, as scipy does.
    same(ours(2j, [1.0, 2.0]), ref(2j, [1.0, 2.0]), dtype)


def test_signatures_match_scipy():
    for name in ["zgemm", "cgemv", "zdotu", "cdotc", "zaxpy", "cscal", "dznrm2", "scnrm2"]:
        ours = list(inspect.signature(getattr(blas, name)).parameters)
        doc = getattr(sblas, name).__doc__.splitlines()[0]  # e.g. "c = zgemm(alpha,a,b,[beta,c,...])"
        theirs = [p.strip("[] ") for p in doc[doc.index("(") + 1:doc.rindex(")")].split(",")]
        assert sorted(ours) == sorted(theirs), name


@pytest.mark.parametrize("dtypes", [("F", "F"), ("D", "D"), ("f", "F"), ("d", "F"), ("F", "D"), ("D", "f")])
@pytest.mark.parametrize("sa,sb", [((4, 5), (5, 3)), ((5,), (5, 3)), ((4, 5), (5,)), ((5,), (5,)),
                                   ((3, 4, 5), (5, 2)), ((2, 1, 4, 5), (3, 5, 6)), ((40, 8, 8), (40, 8, 8))])
def test_complex_matmul_matches_numpy(dtypes, sa, sb):
    def make(shape, code):
        values = RNG.standard_normal(shape) + (1j * RNG.standard_normal(shape) if code in "FD" else 0)
        return np.asarray(values, dtype=np.dtype(code))
    a, b = make(sa, dtypes[0]), make(sb, dtypes[1])
    expected = np.matmul(a, b)
    got = blas.matmul(a, b)
    assert type(got) is type(expected) and got.dtype == expected.dtype and np.shape(got) == np.shape(expected)
    tol = TOL[np.complex64 if expected.dtype == np.complex64 else np.complex128]
    np.testing.assert_allclose(got, expected, **tol)


def test_complex_matmul_strided_and_out():
    a = crand((6, 10))[:, ::-2]
    b = crand((5, 8)).T[::2]  # (4, 5)... shapes checked below
    b = crand((5, 3), order="F")
    out = np.zeros((6, 3), dtype=np.complex128, order="F")
    assert blas.matmul(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-12)
    with pytest.raises(TypeError):
        blas.matmul(a, b, out=np.zeros((6, 3)))  # complex result into a float array: numpy refuses too
    with pytest.raises(TypeError):
        np.matmul(a, b, out=np.zeros((6, 3)))

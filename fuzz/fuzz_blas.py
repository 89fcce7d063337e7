"""Fuzz the swiftpy.blas argument layer: matmul, ?gemm, ?gemv and the level-1 routines.

Random shapes (including 0 and sizes above the GIL-release and OpenBLAS-threading
thresholds), dtypes (float64/32, big-endian, ints, bool, complex, float16, object),
layouts (C, Fortran, transposed, strided, reversed, zero-stride broadcast, read-only,
misaligned, memoryview, bytes, lists, scalars, None, str), values with NaN/Inf, out=
arrays (right, wrong dtype/shape, read-only, strided, aliasing an input), trans flags,
alpha/beta of odd types, and n/off/inc values at the int32/int64 edges.

Pass: swiftpy returns the reference result (numpy for matmul/gemm/gemv, scipy.linalg.blas
for the level-1 routines and gemv slices), or raises TypeError/ValueError/OverflowError/
MemoryError; inputs are never modified (except out=/overwrite targets on success), and an
error leaves every argument unchanged. With SWIFTPY_FUZZ_STRICT=1, also fail when swiftpy
and scipy disagree on success vs. error (to hunt compatibility gaps, not crashes).
"""
import os
import sys
import warnings

import atheris

# A default y of offy = 2**31 float32 elements is 8 GiB, which scipy also allocates and
# touches. Keep such requests failing (MemoryError) rather than filling the machine.
os.environ.setdefault("SWIFTPY_FUZZ_AS_LIMIT_GB", "4")

with atheris.instrument_imports():
    import _common

import numpy as np
import scipy.linalg.blas as sblas

import swiftpy.blas as blas

warnings.simplefilter("ignore")  # numpy ComplexWarning / overflow in casts
STRICT = os.environ.get("SWIFTPY_FUZZ_STRICT") == "1"
ALLOWED = (TypeError, ValueError, OverflowError, MemoryError)
DTYPES = ["f8", "f4", "f8", "f4", "f8", "f4", ">f8", ">f4", "i8", "i4", "i1", "u1", "?", "c16", "f2", "O"]
DIMS = [0, 1, 2, 3, 4, 5, 7, 8]
BIG_DIMS = [37, 40, 64, 65, 100]
SCALARS = [1.0, 0.0, -1.0, 0.5, 2, True, np.float32(1.5), float("nan"), float("inf"), "x", None, 1j,
           10 ** 400, np.float64(-2.0)]
COUNTS = [None, None, 0, 1, 2, 3, 5, -1, 2 ** 31, -2 ** 31, 2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 63, 2 ** 70]
OFFSETS = [0, 0, 0, 1, 2, 3, -1, 2 ** 31, 2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 63]
INCS = [1, 1, 1, 2, -1, -2, 3, 0, 2 ** 31, 2 ** 62, -2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 63]
FLAGS = [0, 0, 1, 2, 3, -1, True, 2 ** 63]


class Unchanged:
    """Snapshots of array arguments, to check nothing was written that should not be."""

    def __init__(self):
        self.items = []

    def add(self, obj):
        if isinstance(obj, np.ndarray):
            self.items.append((obj, obj.copy()))
        return obj

    def before(self, obj):
        """A fresh copy of `obj` as it was before the call (obj itself if not tracked)."""
        for tracked, copy in self.items:
            if tracked is obj:
                return copy.copy()
        return obj

    def check(self, what, except_=()):
        for obj, copy in self.items:
            if any(obj is e or np.shares_memory(obj, e) for e in except_ if isinstance(e, np.ndarray)):
                continue
            if obj.dtype.kind == "O":
                obj, copy = obj.astype(np.float64), copy.astype(np.float64)
            assert np.array_equal(obj, copy, equal_nan=obj.dtype.kind in "fc"), f"{what}: an input was modified"


def values(fdp, shape, special):
    count = int(np.prod(shape)) if shape else 1
    rng = np.random.default_rng(fdp.ConsumeIntInRange(0, 1 << 30))
    data = rng.integers(-4, 5, size=count).astype(np.float64)
    if special and count:
        for _ in range(fdp.ConsumeIntInRange(1, 3)):
            data[fdp.ConsumeIntInRange(0, count - 1)] = fdp.PickValueInList([np.nan, np.inf, -np.inf, 1e300])
    return data.reshape(shape)


def make(fdp, shape, dtype=None):
    """An array-like of `shape` in a random dtype and layout (or a non-array)."""
    dtype = dtype or fdp.PickValueInList(DTYPES)
    base = values(fdp, shape, fdp.ConsumeIntInRange(0, 9) == 0)
    layout = fdp.ConsumeIntInRange(0, 15)
    if layout == 12:
        return base.tolist()
    if layout == 13:
        return fdp.PickValueInList([None, "ab", 3.0, b"abcdefgh", [[1, 2], [3]], [[[1.0]]], object()])
    arr = base.astype(dtype)
    if layout == 1:
        arr = np.asfortranarray(arr)
    elif layout == 2 and arr.ndim == 2:
        arr = np.ascontiguousarray(arr.T).T
    elif layout == 3 and arr.ndim >= 1:  # every other element / row
        big = np.zeros((shape[0] * 2,) + tuple(shape[1:]), dtype=dtype)
        big[::2] = arr
        arr = big[::2]
    elif layout == 4 and arr.ndim >= 1:
        arr = np.ascontiguousarray(arr[::-1])[::-1]
    elif layout == 5 and arr.ndim == 2:
        arr = np.ascontiguousarray(arr[:, ::-1])[:, ::-1]
    elif layout == 6 and arr.ndim >= 1 and shape[0] > 0:  # zero stride (read-only)
        arr = np.broadcast_to(arr[:1], arr.shape)
    elif layout == 7:
        arr = arr.copy()
        arr.flags.writeable = False
    elif layout == 8 and dtype in ("f8", "f4"):  # misaligned
        raw = np.zeros(arr.nbytes + 1, dtype=np.uint8)
        arr = np.frombuffer(raw.data, dtype=dtype, count=arr.size, offset=1).reshape(arr.shape)
        arr = np.ndarray(arr.shape, dtype=dtype, buffer=raw, offset=1)
        arr[...] = base
    elif layout == 9 and dtype != "O":
        return memoryview(arr)
    elif layout == 10 and arr.ndim == 2:  # a 3-D array or 0-D
        arr = arr[None] if fdp.ConsumeBool() else np.float64(1.0)
    return arr


def as_float(obj, dtype):
    """What swiftpy computes with: obj's numbers as `dtype` (None when not array-like)."""
    try:
        if isinstance(obj, (bytes, bytearray, memoryview)):
            return np.asarray(memoryview(obj)).astype(dtype)
        return np.asarray(obj).astype(dtype)
    except Exception:  # noqa: BLE001
        return None


def compare(got, ref, what, dtype):
    got = np.asarray(got)
    ref = np.asarray(ref)
    assert got.shape == ref.shape, f"{what}: shape {got.shape} vs reference {ref.shape}"
    finite = np.isfinite(ref)
    assert np.array_equal(np.isfinite(got), finite), f"{what}: NaN/Inf pattern differs:\n{got}\nvs\n{ref}"
    tol = 1e-4 if np.dtype(dtype) == np.float32 else 1e-10
    np.testing.assert_allclose(got[finite], ref[finite], rtol=tol, atol=tol, err_msg=what)


def big_or_small(fdp):
    return fdp.PickValueInList(BIG_DIMS) if fdp.ConsumeIntInRange(0, 15) == 0 else fdp.PickValueInList(DIMS)


def fuzz_matmul(fdp):
    m, k, n = big_or_small(fdp), big_or_small(fdp), big_or_small(fdp)
    kind = fdp.ConsumeIntInRange(0, 3)
    a_shape = (m, k) if kind in (0, 1) else (k,)
    b_shape = (k, n) if kind in (0, 2) else (k,)
    if fdp.ConsumeIntInRange(0, 7) == 0:  # mismatched inner dimension
        b_shape = (fdp.PickValueInList(DIMS),) + b_shape[1:]
    keep = Unchanged()
    a, b = keep.add(make(fdp, a_shape)), keep.add(make(fdp, b_shape))
    out_choice = fdp.ConsumeIntInRange(0, 9)
    result_shape = {0: (m, n), 1: (m,), 2: (n,), 3: ()}[kind]
    out_dtype = fdp.PickValueInList(["f8", "f4", "f8", "i8"])
    out = None
    if out_choice == 1:
        out = np.full(result_shape, 7.0, dtype=out_dtype)
    elif out_choice == 2:
        out = np.asfortranarray(np.full(result_shape, 7.0, dtype=out_dtype))
    elif out_choice == 3 and result_shape:  # strided out
        out = np.full((result_shape[0] * 2,) + result_shape[1:], 7.0, dtype=out_dtype)[::2]
    elif out_choice == 4:  # aliasing an input
        out = a if isinstance(a, np.ndarray) else b
    elif out_choice == 5:
        out = make(fdp, result_shape if fdp.ConsumeBool() else (k, m))
    elif out_choice == 6:
        out = np.full(result_shape, 7.0, dtype=out_dtype)
        out.flags.writeable = False
    keep.add(out)
    what = f"matmul({_common.describe(a, b, out=out)})"
    mine = _common.outcome(blas.matmul, a, b, out=out)
    _common.check_allowed(mine, ALLOWED, what)
    if mine[0] == "exc":
        keep.check(what)
        return
    result = mine[1]
    if out is not None:
        assert result is out, f"{what}: did not return out"
    keep.check(what, except_=(out,))
    dtype = np.float64 if isinstance(result, float) else np.asarray(result).dtype
    assert dtype in (np.float64, np.float32), f"{what}: result dtype {dtype}"
    fa, fb = as_float(a, dtype), as_float(b, dtype)
    assert fa is not None and fb is not None, f"{what}: accepted a non-array"
    ref = np.matmul(fa.astype(np.float64), fb.astype(np.float64))
    compare(result, ref, what, dtype)


def fuzz_gemm(fdp):
    name = fdp.PickValueInList(["dgemm", "sgemm"])
    dtype = np.float64 if name == "dgemm" else np.float32
    m, k, n = big_or_small(fdp), big_or_small(fdp), big_or_small(fdp)
    ta, tb = _common.pick_int(fdp, FLAGS), _common.pick_int(fdp, FLAGS)
    keep = Unchanged()
    a = keep.add(make(fdp, (k, m) if ta else (m, k)))
    b = keep.add(make(fdp, (n, k) if tb else (k, n)))
    kwargs = {"trans_a": ta, "trans_b": tb}
    alpha = fdp.PickValueInList(SCALARS)
    c = None
    if fdp.ConsumeBool():
        kwargs["beta"] = fdp.PickValueInList(SCALARS)
    if fdp.ConsumeBool():
        c = kwargs["c"] = keep.add(make(fdp, (m, n) if fdp.ConsumeIntInRange(0, 7) else (n, m)))
        kwargs["overwrite_c"] = _common.pick_int(fdp, FLAGS)
    if fdp.ConsumeIntInRange(0, 9) == 0:
        kwargs["c"] = c = a  # aliasing
    what = f"{name}({_common.describe(alpha, a, b, **kwargs)})"
    mine = _common.outcome(getattr(blas, name), alpha, a, b, **kwargs)
    _common.check_allowed(mine, ALLOWED, what)
    if mine[0] == "exc":
        keep.check(what)
        return
    result = mine[1]
    assert np.asarray(result).dtype == dtype, f"{what}: dtype {np.asarray(result).dtype}"
    keep.check(what, except_=(result,))
    fa, fb = as_float(a, np.float64), as_float(b, np.float64)
    opa = fa.T if ta else fa
    opb = fb.T if tb else fb
    # swiftpy converted alpha/beta to C doubles (then to the routine's precision).
    al = dtype(float(alpha))
    ref = float(al) * (opa.astype(dtype).astype(np.float64) @ opb.astype(dtype).astype(np.float64))
    beta = float(kwargs.get("beta", 0.0))
    if c is not None and beta != 0:
        # c as it was before the call (the snapshot): the result may be c itself.
        before = keep.before(c)
        ref = ref + float(dtype(beta)) * as_float(before, dtype).astype(np.float64)
    if not (np.isfinite(al) and np.isfinite(beta)):
        return  # inf*0 orders differ between BLAS kernels and numpy
    compare(result, ref, what, dtype)


def vector_args(fdp, names):
    kwargs = {}
    for name in names:
        if fdp.ConsumeBool():
            pool = COUNTS if name == "n" else OFFSETS if name.startswith("off") else INCS
            kwargs[name] = _common.pick_int(fdp, [v for v in pool if v is not None] if name != "n" else pool, -3, 12)
    return kwargs


def scipy_reference(keep, name, args, kwargs, what, result, dtype, exact_type=None):
    """Compare with scipy.linalg.blas on copies of the arguments as they were before the
    swiftpy call (which may have updated them in place; scipy may too)."""
    copies = [keep.before(a) for a in args]
    kcopies = {k: keep.before(v) for k, v in kwargs.items()}
    ref = _common.outcome(getattr(sblas, name), *copies, **kcopies)
    if ref[0] == "exc":
        assert not STRICT, f"{what}: swiftpy returned {_common.short(result)}, scipy raised {ref[1].__name__}: {ref[2]}"
        return
    if exact_type is not None:
        assert result == ref[1], f"{what}: {result} vs scipy {ref[1]}"
        return
    compare(result, ref[1], what, dtype)


def fuzz_gemv(fdp):
    name = fdp.PickValueInList(["dgemv", "sgemv"])
    dtype = np.float64 if name == "dgemv" else np.float32
    m, n = big_or_small(fdp), big_or_small(fdp)
    trans = _common.pick_int(fdp, FLAGS)
    keep = Unchanged()
    a = keep.add(make(fdp, (m, n)))
    rows, cols = (n, m) if trans else (m, n)
    x = keep.add(make(fdp, (cols * fdp.PickValueInList([1, 1, 2, 3]) + fdp.ConsumeIntInRange(0, 2),)))
    kwargs = vector_args(fdp, ["offx", "incx", "offy", "incy"])
    kwargs["trans"] = trans
    alpha = fdp.PickValueInList(SCALARS)
    if fdp.ConsumeBool():
        kwargs["beta"] = fdp.PickValueInList(SCALARS)
    if fdp.ConsumeBool():
        kwargs["y"] = keep.add(make(fdp, (rows * fdp.PickValueInList([1, 1, 2, 3]) + fdp.ConsumeIntInRange(0, 2),)))
        kwargs["overwrite_y"] = _common.pick_int(fdp, FLAGS)
    what = f"{name}({_common.describe(alpha, a, x, **kwargs)})"
    mine = _common.outcome(getattr(blas, name), alpha, a, x, **kwargs)
    _common.check_allowed(mine, ALLOWED, what)
    if mine[0] == "exc":
        keep.check(what)
        return
    keep.check(what, except_=(mine[1],))
    # With an empty a, BLAS (so scipy) returns y untouched while swiftpy computes beta*y:
    # a documented difference (RELIABILITY.md), so no scipy comparison then.
    if min(np.shape(a)) > 0 and all(isinstance(v, np.ndarray) and v.dtype.kind in "fiub" for v in (a, x)):
        if not (np.isfinite(float(alpha)) and np.isfinite(float(kwargs.get("beta", 0.0)))):
            return
        scipy_reference(keep, name, (alpha, a, x), kwargs, what, mine[1], dtype)


def fuzz_level1(fdp):
    prefix = fdp.PickValueInList(["d", "s"])
    dtype = np.float64 if prefix == "d" else np.float32
    op = fdp.PickValueInList(["dot", "axpy", "scal", "nrm2", "asum", "amax"])
    name = f"i{prefix}amax" if op == "amax" else prefix + op
    keep = Unchanged()
    size = fdp.PickValueInList([0, 1, 2, 3, 5, 8, 9, 16]) if fdp.ConsumeIntInRange(0, 15) else 50_001
    x = keep.add(make(fdp, (size,)))
    if op in ("dot", "axpy"):
        y = x if fdp.ConsumeIntInRange(0, 7) == 0 else keep.add(make(fdp, (fdp.PickValueInList([size, size, 0, 1, 2 * size]),)))
        args = (x, y)
        kwargs = vector_args(fdp, ["n", "offx", "incx", "offy", "incy"])
        if op == "axpy" and fdp.ConsumeBool():
            kwargs["a"] = fdp.PickValueInList(SCALARS)
    elif op == "scal":
        args = (fdp.PickValueInList(SCALARS), x)
        kwargs = vector_args(fdp, ["n", "offx", "incx"])
    else:
        args = (x,)
        kwargs = vector_args(fdp, ["n", "offx", "incx"])
    what = f"{name}({_common.describe(*args, **kwargs)})"
    mine = _common.outcome(getattr(blas, name), *args, **kwargs)
    _common.check_allowed(mine, ALLOWED, what)
    if mine[0] == "exc":
        keep.check(what)
        return
    result = mine[1]
    keep.check(what, except_=(result,))
    if op in ("dot", "nrm2", "asum"):
        assert isinstance(result, float), f"{what}: returned {type(result)}"
    if op == "amax":
        assert isinstance(result, int), f"{what}: returned {type(result)}"
    # Values as they were before the call (dscal/daxpy may have updated x/y in place).
    arrays = [keep.before(v) for v in args if not isinstance(v, (float, int, str, type(None), complex, np.floating))]
    # Only finite inputs: OpenBLAS versions differ on NaN/Inf (Debian's 0.3.21, which
    # swiftpy links, makes dscal(0, [inf]) 0; scipy's newer bundled one gives NaN).
    if all(isinstance(v, np.ndarray) and v.dtype.kind in "fiub" and np.isfinite(v.astype(np.float64)).all()
           for v in arrays):
        scalars_ok = all(np.isfinite(float(s)) for s in [kwargs.get("a", 1.0)] + ([args[0]] if op == "scal" else []))
        if scalars_ok and not (op == "amax" and dtype == np.float32):
            scipy_reference(keep, name, args, kwargs, what, result, dtype, exact_type=int if op == "amax" else None)


def TestOneInput(raw):
    fdp = atheris.FuzzedDataProvider(raw)
    choice = fdp.ConsumeIntInRange(0, 3)
    (fuzz_matmul, fuzz_gemm, fuzz_gemv, fuzz_level1)[choice](fdp)


def main():
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

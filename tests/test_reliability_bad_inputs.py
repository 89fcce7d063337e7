"""Bad-input classes that tests/test_zlib.py, tests/test_blas.py and tests/test_demo_*.py
do not already cover (RELIABILITY.md lists every class and where it is tested)."""
import gc
import zlib as stdzlib

import numpy as np
import pytest
import scipy.linalg.blas as sblas

import swiftpy.blas as blas
import swiftpy.demo as demo
import swiftpy.zlib as zlib


def released():
    view = memoryview(b"abcdef")
    view.release()
    return view


class Boom(Exception):
    pass


class RaisingIndex:
    def __index__(self):
        raise Boom("__index__")


class RaisingFloat:
    def __float__(self):
        raise Boom("__float__")


class RaisingBool:
    def __bool__(self):
        raise Boom("__bool__")


class NonIntIndex:
    def __index__(self):
        return "3"


# --- released buffers, conversion hooks that raise -----------------------------------------

def test_released_memoryview():
    for module in (zlib, stdzlib):
        with pytest.raises(ValueError, match="released memoryview"):
            module.compress(released())
        with pytest.raises(ValueError, match="released memoryview"):
            module.crc32(released())
    with pytest.raises(ValueError, match="released memoryview"):
        demo.checksum(released())
    with pytest.raises((TypeError, ValueError)):
        blas.ddot(released(), np.ones(6))


@pytest.mark.parametrize("call", [
    lambda: zlib.compress(b"x", RaisingIndex()),
    lambda: zlib.decompressobj().decompress(b"x", max_length=RaisingIndex()),
    lambda: zlib.crc32(b"x", RaisingIndex()),
    lambda: zlib.parallel_compress(b"x", threads=RaisingIndex()),
    lambda: demo.add(RaisingIndex(), 1),
    lambda: demo.checksum(b"x", release_gil=RaisingBool()),
    lambda: demo.scale([1.0, RaisingFloat()]),
    lambda: blas.dgemm(RaisingFloat(), np.eye(2), np.eye(2)),
    lambda: blas.ddot(np.ones(3), np.ones(3), n=RaisingIndex()),
    lambda: blas.set_oversubscription_guard(RaisingBool()),
])
def test_exceptions_from_conversion_hooks_propagate_unchanged(call):
    with pytest.raises(Boom):
        call()


def test_index_returning_non_int():
    # CPython's own wording, which changed in 3.15 ("__index__ returned non-int (type
    # str)" -> "NonIntIndex.__index__() must return an int, not str").
    import operator
    with pytest.raises(TypeError) as expected:
        operator.index(NonIntIndex())
    for call in (lambda: zlib.compress(b"x", NonIntIndex()), lambda: demo.add(NonIntIndex(), 1)):
        with pytest.raises(TypeError) as got:
            call()
        assert str(got.value) == str(expected.value)


def test_list_mutated_during_conversion():
    items = []

    class Shrinks:
        def __float__(self):
            items.clear()
            gc.collect()
            return 1.0

    items.extend([Shrinks()] + [float(i) for i in range(50)])
    with pytest.raises(IndexError):
        demo.scale(items)  # read with checked PySequence_GetItem: no stale size, no crash


def test_strings_with_surrogates_and_nul():
    with pytest.raises(UnicodeEncodeError):
        demo.greet("\udcff")
    assert demo.greet("a\x00b") == "Hello, a\x00b!"
    with pytest.raises(TypeError):
        zlib.compress("text")


# --- dtypes and layouts ------------------------------------------------------------------------

def test_other_dtypes_are_converted_by_scipy_style_routines_and_refused_by_matmul():
    a = np.arange(4.0).reshape(2, 2)
    for dtype in (">f8", ">f4", "<i8", "i1", "u2", "?"):
        got = np.asarray(blas.dgemm(1.0, a.astype(dtype), np.eye(2)))
        np.testing.assert_array_equal(got, a.astype(dtype).astype(np.float64))
    with pytest.raises(TypeError, match="unsupported dtype"):
        blas.matmul(a.astype(">f8"), a)
    # float16 ('e'): scipy converts it, swiftpy refuses it (a documented gap).
    with pytest.raises(TypeError, match="unsupported array format 'e'"):
        blas.dgemm(1.0, a.astype(np.float16), np.eye(2))


def test_misaligned_reversed_and_broadcast_operands():
    raw = np.zeros(8 * 12 + 1, dtype=np.uint8)
    misaligned = np.ndarray((3, 4), dtype=np.float64, buffer=raw, offset=1)
    misaligned[...] = np.arange(12.0).reshape(3, 4)
    b = np.arange(8.0).reshape(4, 2)
    np.testing.assert_allclose(np.asarray(blas.matmul(misaligned, b)), misaligned @ b)
    np.testing.assert_allclose(np.asarray(blas.dgemm(1.0, misaligned[::-1, ::-1], b)), misaligned[::-1, ::-1] @ b)
    broadcast = np.broadcast_to(np.arange(4.0), (3, 4))
    np.testing.assert_allclose(np.asarray(blas.matmul(broadcast, b)), broadcast @ b)
    x = np.arange(10.0)
    assert blas.ddot(x[::-1][:5], x[::-2]) == pytest.approx(np.dot(x[::-1][:5], x[::-2]))


@pytest.mark.parametrize("m,k,n", [(0, 3, 2), (2, 0, 3), (2, 3, 0), (0, 0, 0)])
def test_empty_dimensions(m, k, n):
    a, b, c = np.ones((m, k)), np.ones((k, n)), np.full((m, n), 2.0)
    np.testing.assert_array_equal(np.asarray(blas.matmul(a, b)), a @ b)
    # scipy's f2py wrapper refuses m = 0 or n = 0 ("unexpected array size"); numpy's formula:
    np.testing.assert_array_equal(np.asarray(blas.dgemm(1.0, a, b, 0.5, c)), a @ b + 0.5 * c)


def test_nan_and_inf_in_level1_match_scipy():
    x = np.array([1.0, np.nan, 3.0, -7.0])
    assert blas.idamax(x) == sblas.idamax(x)
    assert np.isnan(blas.dnrm2(x)) and np.isnan(sblas.dnrm2(x))
    y = np.array([1.0, np.inf, -np.inf])
    assert blas.dnrm2(y) == sblas.dnrm2(y) == np.inf
    assert blas.dasum(y) == sblas.dasum(y) == np.inf
    assert np.isnan(blas.ddot(y, np.ones(3)))


def test_read_only_in_place_targets_get_a_new_array():
    for call in (lambda ro: blas.daxpy(np.ones(3), ro), lambda ro: blas.dscal(2.0, ro)):
        ro = np.ones(3)
        ro.flags.writeable = False
        result = call(ro)
        assert result is not ro
        np.testing.assert_array_equal(ro, np.ones(3))  # scipy 1.17 writes into it anyway
    out = np.ones((2, 2), order="F")
    out.flags.writeable = False
    assert blas.dgemm(1.0, np.eye(2), np.eye(2), 1.0, out, overwrite_c=1) is not out
    np.testing.assert_array_equal(out, np.ones((2, 2)))


def test_aliased_operands():
    a = np.asfortranarray(np.arange(9.0).reshape(3, 3))
    before = a.copy()
    result = blas.dgemm(1.0, a, a, 1.0, a, overwrite_c=1)   # c is also both inputs
    assert result is a
    np.testing.assert_allclose(a, before @ before + before)
    v = np.arange(4.0)
    assert blas.daxpy(v, v, a=2.0) is v
    np.testing.assert_array_equal(v, 3 * np.arange(4.0))


# --- sizes and counts --------------------------------------------------------------------------

def test_absurd_thread_counts_and_block_sizes():
    data = bytes(range(256)) * 1000
    packed = zlib.parallel_compress(data, threads=2 ** 40, block_size=32768)  # capped at 256 workers
    assert stdzlib.decompress(packed) == data
    for kwargs in (dict(threads=0), dict(threads=-2 ** 63), dict(block_size=(1 << 30) + 1), dict(block_size=-1)):
        with pytest.raises(ValueError):
            zlib.parallel_compress(data, **kwargs)
    with pytest.raises(OverflowError):
        zlib.parallel_compress(data, threads=2 ** 64)
    before = blas.get_num_threads()
    try:
        blas.set_num_threads(2 ** 62)  # clamped to OpenBLAS's maximum
        assert blas.get_num_threads() >= 1
        with pytest.raises(ValueError):
            blas.set_num_threads(0)
    finally:
        blas.set_num_threads(before)


def test_huge_bufsize_and_max_length_do_not_preallocate():
    packed = stdzlib.compress(b"abc" * 1000)
    assert zlib.decompress(packed, 15, 2 ** 62) == b"abc" * 1000     # stdlib: MemoryError
    d = zlib.decompressobj()
    assert d.decompress(packed, 2 ** 63 - 1) == b"abc" * 1000
    assert zlib.decompressobj().flush(2 ** 62) == b""

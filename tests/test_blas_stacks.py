"""swiftpy.blas.matmul on stacks: numpy's broadcasting, 1-D promotion and out= rules,
compared with numpy.matmul (type, dtype, shape, flags, values) on random cases."""
import threading

import pytest

np = pytest.importorskip("numpy")
blas = pytest.importorskip("swiftpy.blas")

RNG = np.random.default_rng(2026)
FLAGS = ("C_CONTIGUOUS", "F_CONTIGUOUS", "WRITEABLE", "ALIGNED")
TOL = {np.dtype(np.float32): dict(rtol=3e-5, atol=3e-5), np.dtype(np.float64): dict(rtol=1e-12, atol=1e-12)}


def rand(shape, dtype=np.float64):
    return np.asarray(RNG.standard_normal(shape), dtype=dtype)


def same(got, expected):
    assert type(got) is type(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert {f: got.flags[f] for f in FLAGS} == {f: expected.flags[f] for f in FLAGS}
    np.testing.assert_allclose(got, expected, **TOL[expected.dtype])


PAIRS = [
    ((3, 4, 5), (3, 5, 2)),
    ((2, 1, 4, 5), (3, 5, 2)),      # batch broadcasting both ways
    ((1, 4, 5), (6, 5, 3)),
    ((4, 5), (7, 5, 3)),            # 2-D against a stack
    ((7, 4, 5), (5, 3)),
    ((5,), (2, 5, 3)),              # 1-D promotion, left
    ((2, 3, 5), (5,)),              # 1-D promotion, right
    ((2, 2, 3, 1), (2, 1, 1)),      # k = 1
    ((0, 3, 4), (4, 2)),            # empty batch
    ((2, 3, 0), (2, 0, 4)),         # k = 0: zeros
    ((2, 0, 4), (2, 4, 3)),         # m = 0
    ((3, 1, 1), (1, 1)),
    ((2, 3, 4, 8, 8), (4, 8, 8)),
    ((300, 16, 16), (300, 16, 16)),  # large enough to be spread over helper threads
    ((64, 40, 70), (70, 30)),
]


@pytest.mark.parametrize("dtypes", [("d", "d"), ("f", "f"), ("f", "d"), ("d", "f")])
@pytest.mark.parametrize("sa,sb", PAIRS)
def test_stacks_match_numpy(sa, sb, dtypes):
    a, b = rand(sa, dtypes[0]), rand(sb, dtypes[1])
    same(blas.matmul(a, b), np.matmul(a, b))


@pytest.mark.parametrize("view", [
    lambda x: x[..., ::2, :],
    lambda x: x[..., ::-1, :],
    lambda x: x[::-1],
    lambda x: np.swapaxes(x, -1, -2),
    lambda x: np.moveaxis(x, 0, -1)[..., :3],
    lambda x: np.asfortranarray(x),
])
def test_non_contiguous_and_negative_strides(view):
    a = view(rand((6, 8, 8)))
    b = view(rand((6, 8, 8)))
    if a.shape[-1] != b.shape[-2]:
        b = np.swapaxes(b, -1, -2)
    same(blas.matmul(a, b), np.matmul(a, b))
    same(blas.matmul(a, b[0]), np.matmul(a, b[0]))


def test_nested_lists_are_stacks():
    a = [[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [1.0, 0.0]]]
    same(blas.matmul(a, np.eye(2)), np.matmul(np.asarray(a, dtype=float), np.eye(2)))


@pytest.mark.parametrize("order", ["C", "F"])
def test_out(order):
    a, b = rand((5, 3, 4)), rand((5, 4, 2))
    out = np.full((5, 3, 2), np.nan, order=order)
    assert blas.matmul(a, b, out=out) is out
    np.testing.assert_allclose(out, np.matmul(a, b), rtol=1e-12)
    big = np.zeros((10, 3, 4))
    view = big[::2, :, ::2]
    assert blas.matmul(a, b, out=view) is view
    np.testing.assert_allclose(big[::2, :, ::2], np.matmul(a, b), rtol=1e-12)
    assert not big[1::2].any() and not big[:, :, 1::2].any()
    vec = np.zeros((5, 3))
    blas.matmul(a, b[:, :, 0].copy()[0], out=vec)
    np.testing.assert_allclose(vec, np.matmul(a, b[:, :, 0].copy()[0]), rtol=1e-12)


@pytest.mark.parametrize("args,kwargs,exc", [
    ((np.ones((2, 3, 4)), np.ones((3, 4, 5))), {}, ValueError),   # batch shapes do not broadcast
    ((np.ones((2, 3, 4)), np.ones((2, 5, 4))), {}, ValueError),   # core mismatch
    ((np.ones((2, 3, 4)), np.ones(5)), {}, ValueError),
    ((np.ones((2, 3, 4)), np.ones((2, 4, 5))), dict(out=np.zeros((2, 5, 3))), ValueError),  # out shape
    ((np.ones((2, 3, 4)), np.ones((2, 4, 5))), dict(out=np.zeros((2, 3, 5), dtype=np.int8)), TypeError),  # unsafe cast
    ((np.ones((2, 3, 4)) * 1j, np.ones((2, 4, 5))), dict(out=np.zeros((2, 3, 5))), TypeError),  # complex into real
    ((np.ones((2, 3, 4)), np.ones((2, 4, 5))), dict(out=np.zeros((2, 3, 5), dtype=np.float64)[:, :, :4]), ValueError),
])
def test_bad_input_raises_numpys_exception_type(args, kwargs, exc):
    with pytest.raises(exc):
        np.matmul(*args, **kwargs)
    with pytest.raises(exc):
        blas.matmul(*args, **kwargs)


@pytest.mark.parametrize("out_dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("shapes", [((4, 5), (5, 3)), ((2, 4, 5), (5, 3)), ((5,), (5, 3))])
def test_out_of_another_dtype_is_cast_like_numpy(out_dtype, shapes):
    a, b = rand(shapes[0], np.float32), rand(shapes[1], np.float64)
    expected = np.matmul(a, b, out=np.zeros(np.matmul(a, b).shape, out_dtype))
    out = np.full(expected.shape, 7, dtype=out_dtype)
    assert blas.matmul(a, b, out=out) is out
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


def test_read_only_and_overlapping_out():
    a, b = rand((2, 3, 3)), rand((2, 3, 3))
    readonly = np.zeros((2, 3, 3))
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        blas.matmul(a, b, out=readonly)
    with pytest.raises(ValueError, match="shares memory"):
        blas.matmul(a, b, out=a)
    shared = np.lib.stride_tricks.as_strided(np.zeros(9), (2, 3, 3), (0, 24, 8), writeable=True)
    with pytest.raises(ValueError, match="share memory"):
        blas.matmul(a, b, out=shared)


def test_helper_threads_give_the_same_bits_as_one_thread():
    a, b = rand((400, 24, 24)), rand((400, 24, 24))
    before = blas.get_num_threads()
    try:
        blas.set_num_threads(1)
        one = blas.matmul(a, b)
        blas.set_num_threads(max(2, before))
        many = blas.matmul(a, b)
    finally:
        blas.set_num_threads(before)
    np.testing.assert_array_equal(one, many)
    assert blas.calls_in_flight() == 0


def test_batch_releases_the_gil():
    a, b = rand((600, 48, 48)), rand((600, 48, 48))
    state = {"run": True, "count": 0}

    def counter():
        while state["run"]:
            state["count"] += 1

    thread = threading.Thread(target=counter)
    thread.start()
    try:
        best = 0
        for _ in range(3):
            start = state["count"]
            blas.matmul(a, b)
            best = max(best, state["count"] - start)
    finally:
        state["run"] = False
        thread.join()
    assert best > 1000


@pytest.mark.parametrize("dtype", ["f", "d", "F", "D"])
@pytest.mark.parametrize("k", [0, 3])
def test_fresh_results_hold_no_stale_bytes(dtype, k):
    """A stack result is not zeroed before the products write it (beta = 0 writes every
    element, k = 0 included): memory that held NaNs a moment ago must come back as the
    product. The NaN result is freed first so the allocator likely hands its memory back."""
    shape = (6, 24, 24)
    for _ in range(5):
        poison = blas.matmul(np.full(shape, np.nan, dtype), np.full(shape, np.nan, dtype))
        assert np.isnan(poison).all()
        del poison
        a, b = rand((6, 24, k), dtype.lower()).astype(dtype), rand((6, k, 24), dtype.lower()).astype(dtype)
        got = blas.matmul(a, b)
        np.testing.assert_allclose(got, np.matmul(a, b), rtol=1e-5, atol=1e-5)

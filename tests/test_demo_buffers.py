"""Buffer protocol: consumer views of many exporters, and a Swift-owned provider."""
import array
import zlib

import pytest

np = pytest.importorskip("numpy", reason="numpy has no wheel for this interpreter")

import swiftpy.demo as demo
from test_demo_functions import fnv1a64


@pytest.mark.parametrize(
    "make",
    [
        lambda b: b,
        bytearray,
        memoryview,
        lambda b: array.array("B", b),
        lambda b: np.frombuffer(b, dtype=np.uint8),
        lambda b: np.frombuffer(b, dtype=np.uint8).view(np.float64) if len(b) % 8 == 0 else b,
    ],
)
@pytest.mark.parametrize("size", [0, 1, 100, 4096, 100_000])
@pytest.mark.parametrize("release", [True, False])
def test_checksum_reads_any_bytes_like(make, size, release):
    data = bytes((i * 7 + 3) % 256 for i in range(size))
    assert demo.checksum(make(data), release_gil=release) == fnv1a64(data)


def test_checksum_rejects_non_buffers_and_non_contiguous():
    with pytest.raises(TypeError, match="a bytes-like object is required, not 'str'"):
        demo.checksum("text")
    with pytest.raises(TypeError, match="a bytes-like object is required, not 'int'"):
        demo.checksum(5)
    # Non-contiguous input: the exporter's own error, exactly as stdlib zlib reports it.
    for strided in (np.arange(100, dtype=np.uint8)[::2], memoryview(b"abcdef")[::2]):
        with pytest.raises(Exception) as expected:
            zlib.crc32(strided)
        with pytest.raises(type(expected.value)) as got:
            demo.checksum(strided)
        assert str(got.value) == str(expected.value)


def test_writable_buffer_is_written_in_place():
    target = bytearray(1000)
    demo.fill(target, 9)
    assert target == bytearray([9]) * 1000
    arr = np.zeros(64, dtype=np.uint8)
    demo.fill(arr, 255)
    assert (arr == 255).all()
    view = memoryview(bytearray(10))
    demo.fill(view, 1)
    assert bytes(view) == b"\x01" * 10


@pytest.mark.parametrize("readonly", [b"abc", memoryview(b"abc"), np.frombuffer(b"abc", dtype=np.uint8)])
def test_read_only_buffer_rejected_where_writable_needed(readonly):
    with pytest.raises(TypeError, match="a read-write bytes-like object is required"):
        demo.fill(readonly, 1)


def test_value_range_checked():
    with pytest.raises(OverflowError):
        demo.fill(bytearray(1), 256)
    with pytest.raises(OverflowError):
        demo.fill(bytearray(1), -1)


def test_bytearray_is_pinned_while_exported():
    # While a view is held the exporter refuses to resize: what keeps detached reads safe.
    data = bytearray(10)
    view = memoryview(data)
    with pytest.raises(BufferError):
        data.extend(b"x")
    view.release()
    data.extend(b"x")


def test_provider_exports_shape_strides_format_without_copy():
    m = demo.matrix(3, 4)
    view = memoryview(m)
    assert view.shape == (3, 4)
    assert view.strides == (32, 8)
    assert view.format == "d"
    assert view.itemsize == 8
    assert not view.readonly
    assert view.tolist() == [[float(i * 4 + j) for j in range(4)] for i in range(3)]
    arr = np.asarray(m)
    assert arr.shape == (3, 4) and arr.dtype == np.float64
    assert np.array_equal(arr, np.arange(12, dtype=np.float64).reshape(3, 4))
    arr[0, 0] = 99.0  # zero-copy: numpy writes Swift's memory
    assert memoryview(m)[0, 0] == 99.0
    assert m.shape == (3, 4) and m.strides == (32, 8) and m.format == "d" and m.nbytes == 96
    assert type(m).__name__ == "Buffer" and type(m).__module__ == "swiftpy.demo"


def test_provider_outlives_python_views():
    arr = np.asarray(demo.matrix(2, 2))
    import gc

    gc.collect()
    assert arr.sum() == 6.0


def test_provider_empty_and_refuses_bad_shapes():
    assert np.asarray(demo.matrix(0, 5)).shape == (0, 5)
    with pytest.raises(ValueError, match="negative dimensions"):
        demo.matrix(-1, 2)
    with pytest.raises(MemoryError):
        demo.matrix(2**40, 2**40)

"""A buffer kept beyond the call that received it stays valid: it holds its exporter
alive and its export held, like a memoryview. (The token and spans cannot be kept at
all: Tests/CompileFail.)"""
import gc

import pytest

from swiftpy import demo


def test_kept_bytes_are_never_freed_memory():
    keeper = demo.BufferKeeper()
    keeper.keep(bytes([65]) * 64)        # the only reference to this bytes object
    gc.collect()
    # Allocate many same-sized objects that would reuse the freed memory.
    noise = [bytes([66]) * 64 for _ in range(10000)]
    assert keeper.read() == b"A" * 64
    del noise
    keeper.release()
    assert keeper.read() == b""


def test_kept_bytearray_cannot_be_resized_like_a_memoryview():
    data = bytearray(b"xyz")
    with memoryview(data):
        with pytest.raises(BufferError) as expected:
            data.extend(b"!")
    keeper = demo.BufferKeeper()
    keeper.keep(data)
    with pytest.raises(BufferError) as got:
        data.extend(b"!")
    assert str(got.value) == str(expected.value)
    data[0] = ord("X")                   # writing in place is allowed, and visible
    assert keeper.read() == b"Xyz"
    keeper.release()
    data.extend(b"!")                    # released: resizable again
    assert data == b"Xyz!"


def test_kept_buffer_released_with_its_keeper():
    data = bytearray(b"abc")
    keeper = demo.BufferKeeper()
    keeper.keep(data)
    del keeper
    gc.collect()
    data.extend(b"d")
    assert data == b"abcd"

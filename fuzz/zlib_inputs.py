"""Random zlib/gzip/raw-deflate streams for the zlib harnesses (valid, mutated, garbage)."""
import zlib as stdzlib

from _common import pick_int

# wbits values that mean something to decompress (auto-detect, gzip, raw, zlib) and ones
# that do not.
DECOMPRESS_WBITS = [15, 15, -15, 31, 47, 0, 8, 9, -8, -9, 14, -14, 24, 25, 26, 40, 41, 46, 48, 16, 99, -1, -16]
COMPRESS_WBITS = [15, 15, -15, 31, 9, -9, 25, 10, -10, 26, 8, -8, 24, 0, 16, 32, -16, 99]
LEVELS = [-1, 0, 1, 6, 9, 9, 1, -2, 10, 11]


def payload(fdp):
    """Some bytes: random, repetitive (compressible) or a repeated random block."""
    kind = fdp.ConsumeIntInRange(0, 3)
    size = fdp.ConsumeIntInRange(0, 2048)
    data = fdp.ConsumeBytes(size)
    if kind == 1:
        return data * fdp.ConsumeIntInRange(1, 64)
    if kind == 2:
        return bytes(fdp.ConsumeIntInRange(0, 1 << 18))  # zeros: output up to 1000x input
    return data


def stream(fdp):
    """A byte string for decompress: a valid stream, a damaged one, or garbage."""
    kind = fdp.ConsumeIntInRange(0, 7)
    if kind == 0:
        return fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))
    wbits = fdp.PickValueInList([15, -15, 31, 9, -9, 25])
    level = fdp.PickValueInList([-1, 0, 1, 6, 9])
    data = stdzlib.compress(payload(fdp), level, wbits)
    if kind == 1 and data:  # truncated
        data = data[: fdp.ConsumeIntInRange(0, len(data) - 1)]
    elif kind == 2 and data:  # flipped bytes
        buf = bytearray(data)
        for _ in range(fdp.ConsumeIntInRange(1, 4)):
            buf[fdp.ConsumeIntInRange(0, len(buf) - 1)] ^= fdp.ConsumeIntInRange(1, 255)
        data = bytes(buf)
    elif kind == 3:  # trailing garbage (unused_data)
        data += fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 64))
    elif kind == 4:  # two members back to back
        data += stdzlib.compress(payload(fdp), level, wbits)
    return data


def decompress_wbits(fdp):
    return pick_int(fdp, DECOMPRESS_WBITS, -20, 50)


def compress_wbits(fdp):
    return pick_int(fdp, COMPRESS_WBITS, -20, 50)


def level(fdp):
    return pick_int(fdp, LEVELS, -3, 12)

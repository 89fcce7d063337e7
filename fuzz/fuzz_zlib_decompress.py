"""Fuzz swiftpy.zlib.decompress(data, wbits, bufsize) against the stdlib zlib.

Same result, or the same exception type. One documented difference is accepted: a huge
bufsize makes stdlib zlib allocate it up front (MemoryError), while swiftpy grows its
output geometrically and goes on (succeeds, or reports the stream's own error).
"""
import sys
import zlib as stdzlib

import atheris

with atheris.instrument_imports():
    import _common
    import zlib_inputs

import swiftpy.zlib as ours

BUFSIZES = [16384, 0, 1, 2, 7, 64, 1 << 20, -1, -2 ** 63, 2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 62,
            2 ** 63 - 1, 2 ** 63, 2 ** 70]


ALLOWED = (ours.error, ValueError, TypeError, OverflowError, MemoryError)


def call(module, data, wbits, bufsize, form):
    if form == 0:
        return _common.outcome(module.decompress, data)
    if form == 1:
        return _common.outcome(module.decompress, data, wbits)
    if form == 2:
        return _common.outcome(module.decompress, data, wbits, bufsize)
    return _common.outcome(module.decompress, data, wbits=wbits, bufsize=bufsize)


def TestOneInput(raw):
    fdp = atheris.FuzzedDataProvider(raw)
    data = zlib_inputs.stream(fdp)
    wbits = zlib_inputs.decompress_wbits(fdp)
    bufsize = _common.pick_int(fdp, BUFSIZES, -2, 1 << 16)
    form = fdp.ConsumeIntInRange(0, 3)
    as_type = fdp.ConsumeIntInRange(0, 3)
    if as_type == 1:
        data = bytearray(data)
    elif as_type == 2:
        data = memoryview(data)
    mine = call(ours, data, wbits, bufsize, form)
    ref = call(stdzlib, data, wbits, bufsize, form)
    what = f"decompress({_common.short(bytes(data))}, wbits={wbits}, bufsize={bufsize}, form={form})"
    if mine[0] == "ok" and ref[0] == "ok":
        assert mine[1] == ref[1], f"{what}: different output"
        assert type(mine[1]) is bytes, f"{what}: returned {type(mine[1])}"
        return
    _common.check_allowed(mine, ALLOWED, what)
    if ref[0] == "exc" and ref[1] is MemoryError:
        return  # stdlib allocates bufsize at once; swiftpy does not
    if mine[0] != ref[0] or _common.exc_name(mine[1]) != _common.exc_name(ref[1]):
        raise AssertionError(f"{what}: swiftpy {mine[:1] + tuple(map(str, mine[1:]))} vs stdlib "
                             f"{ref[:1] + tuple(map(str, ref[1:]))}")


def main():
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""Fuzz swiftpy.zlib.decompressobj streaming against the stdlib zlib.

A random stream (valid, truncated, corrupted, with trailing data, two members) is fed in
random chunks to a swiftpy and a stdlib Decompress object side by side, with random
max_length values, feeding back unconsumed_tail, flush(length), copy() and the eof /
unused_data / unconsumed_tail attributes in between. Every step must give the same result
or the same exception type.
"""
import sys
import zlib as stdzlib

import atheris

with atheris.instrument_imports():
    import _common
    import zlib_inputs

import swiftpy.zlib as ours

ALLOWED = (ours.error, ValueError, TypeError, OverflowError, MemoryError)
MAX_LENGTHS = [0, 0, 1, 2, 3, 16, 100, 1024, 65536, -1, 2 ** 31, 2 ** 63 - 1, 2 ** 63, -2 ** 63]
FLUSH_LENGTHS = [16384, 1, 2, 100, 0, -1, 2 ** 31, 2 ** 63 - 1, 2 ** 63]
ZDICTS = [None, b"", b"hello world", bytes(range(256)) * 4]


class Diverged(Exception):
    """An accepted difference: the two objects' states differ from here on."""


def same(mine, ref, what):
    _common.check_allowed(mine, ALLOWED, what)
    if ref[0] == "exc" and ref[1] is MemoryError:
        raise Diverged  # stdlib pre-allocates e.g. flush(length); swiftpy does not
    if any(r[0] == "exc" and "too far back" in r[2] for r in (mine, ref)):
        # A stream with back-references beyond the window that wbits declares is invalid;
        # zlib only notices when the reference crosses out of the current output buffer,
        # so whether and where it fails depends on buffer sizes (stdlib's first block is
        # 32 KiB, swiftpy's 16 KiB). Accepted difference, RELIABILITY.md.
        raise Diverged
    if (SMALL_WINDOW[0] and mine[0] == ref[0] == "ok" and isinstance(mine[1], bytes) and mine[1] != ref[1]
            and (mine[1].startswith(ref[1]) or ref[1].startswith(mine[1]))):
        # The same invalid-stream case, where flush() reports no error (as in CPython, it
        # returns what it has on Z_DATA_ERROR): both stop at the bad reference, at
        # buffer-dependent places.
        raise Diverged
    if mine[0] != ref[0]:
        raise AssertionError(f"{what}: swiftpy {mine} vs stdlib {ref}")
    if mine[0] == "ok":
        assert mine[1] == ref[1], f"{what}: swiftpy {_common.short(mine[1])} vs stdlib {_common.short(ref[1])}"
    else:
        assert _common.exc_name(mine[1]) == _common.exc_name(ref[1]), f"{what}: swiftpy {mine} vs stdlib {ref}"


def TestOneInput(raw):
    try:
        compare_streams(atheris.FuzzedDataProvider(raw))
    except Diverged:
        pass


#: Whether the decompressor's window is smaller than the 32 KiB the streams may use.
SMALL_WINDOW = [False]


def compare_streams(fdp):
    data = zlib_inputs.stream(fdp)
    wbits = zlib_inputs.decompress_wbits(fdp)
    SMALL_WINDOW[0] = abs(wbits) & 15 not in (0, 15)
    zdict = fdp.PickValueInList(ZDICTS)
    kwargs = {} if zdict is None else {"zdict": zdict}
    if zdict and fdp.ConsumeBool():
        # A stream that really needs the dictionary.
        c = stdzlib.compressobj(wbits=fdp.PickValueInList([15, -15, 9]), zdict=zdict)
        data = c.compress(zlib_inputs.payload(fdp)) + c.flush()
    mine = _common.outcome(ours.decompressobj, wbits, **kwargs)
    ref = _common.outcome(stdzlib.decompressobj, wbits, **kwargs)
    log = [f"decompressobj({wbits}, {_common.short(kwargs)}) data={_common.short(data)}"]
    same(("ok", None) if mine[0] == "ok" else mine, ("ok", None) if ref[0] == "ok" else ref, log[0])
    if mine[0] != "ok":
        return
    d_mine, d_ref = mine[1], ref[1]
    pos = 0
    tail_mine = tail_ref = b""
    for _ in range(fdp.ConsumeIntInRange(1, 40)):
        op = fdp.ConsumeIntInRange(0, 9)
        if op <= 4:  # decompress the next chunk (or the unconsumed tail)
            if tail_ref and fdp.ConsumeBool():
                chunk_mine, chunk_ref = tail_mine, tail_ref
            else:
                n = fdp.ConsumeIntInRange(0, max(1, len(data) - pos))
                chunk_mine = chunk_ref = data[pos:pos + n]
                pos += n
                if fdp.ConsumeBool():
                    chunk_mine = bytearray(chunk_mine)
            max_length = _common.pick_int(fdp, MAX_LENGTHS, -2, 4096)
            use_kw = fdp.ConsumeBool()
            log.append(f"decompress({_common.short(bytes(chunk_mine))}, max_length={max_length})")
            if use_kw:
                a = _common.outcome(d_mine.decompress, chunk_mine, max_length=max_length)
                b = _common.outcome(d_ref.decompress, chunk_ref, max_length=max_length)
            else:
                a = _common.outcome(d_mine.decompress, chunk_mine, max_length)
                b = _common.outcome(d_ref.decompress, chunk_ref, max_length)
            same(a, b, " / ".join(log))
        elif op == 5:
            length = _common.pick_int(fdp, FLUSH_LENGTHS, -2, 4096)
            log.append(f"flush({length})")
            same(_common.outcome(d_mine.flush, length), _common.outcome(d_ref.flush, length), " / ".join(log))
        elif op == 6:
            log.append("flush()")
            same(_common.outcome(d_mine.flush), _common.outcome(d_ref.flush), " / ".join(log))
        elif op == 7:
            log.append("copy()")
            a, b = _common.outcome(d_mine.copy), _common.outcome(d_ref.copy)
            same(("ok", None) if a[0] == "ok" else a, ("ok", None) if b[0] == "ok" else b, " / ".join(log))
            if a[0] == "ok" and fdp.ConsumeBool():
                d_mine, d_ref = a[1], b[1]  # go on with the copies; the originals die here
        elif op == 8:
            log.append("attributes")
            for name in ("eof", "unused_data", "unconsumed_tail"):
                assert getattr(d_mine, name) == getattr(d_ref, name), f"{' / '.join(log)}: {name} differs"
        else:
            log.append("attribute write")
            for name in ("eof", "unused_data", "unconsumed_tail"):
                a = _common.outcome(setattr, d_mine, name, b"x")
                b = _common.outcome(setattr, d_ref, name, b"x")
                assert a[0] == b[0] == "exc" and a[1] is b[1], f"{' / '.join(log)}: {name}: {a} vs {b}"
        tail_mine, tail_ref = d_mine.unconsumed_tail, d_ref.unconsumed_tail
        assert tail_mine == tail_ref, f"{' / '.join(log)}: unconsumed_tail differs"
        assert d_mine.eof == d_ref.eof, f"{' / '.join(log)}: eof differs"
        assert d_mine.unused_data == d_ref.unused_data, f"{' / '.join(log)}: unused_data differs"


def main():
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

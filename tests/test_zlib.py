"""swiftpy.zlib against the standard zlib module: same API, results, errors and messages.

Every test compares with `import zlib as stdzlib` on the same inputs.
"""
import copy
import gzip
import inspect
import os
import pickle
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import zlib as stdzlib
import swiftpy.zlib as zlib

# swiftpy.zlib has the newest stdlib API on every interpreter: compress(data, level, wbits)
# (3.11+) and CPython 3.10+'s argument error messages. Older interpreters' stdlib zlib
# lacks them, so reference streams come from `std_compress`, and the comparisons of the
# signature or messages themselves are skipped there (see STDLIB_SINCE).
if sys.version_info >= (3, 11):
    std_compress = stdzlib.compress
else:
    def std_compress(data, level=-1, wbits=stdzlib.MAX_WBITS):
        """3.11's zlib.compress: the same stream as compressobj(level, DEFLATED, wbits)."""
        compressor = stdzlib.compressobj(level, stdzlib.DEFLATED, wbits)
        return compressor.compress(data) + compressor.flush()

RNG = random.Random(1234)
RANDOM_1M = bytes(RNG.getrandbits(8) for _ in range(1 << 16)) * 16  # 1 MiB, poorly compressible
TEXT = b"".join(
    b"line %d: the quick brown fox jumps over the lazy dog %d\n" % (i, i * 7 % 13) for i in range(40000)
)  # ~2 MB of compressible text
INPUTS = {
    "empty": b"",
    "one": b"x",
    "tiny": b"hello world",
    "zeros": bytes(300000),
    "random": RANDOM_1M[:200000],
    "text": TEXT,
}
# Every wbits form compress accepts, and those decompress adds (auto-detect, header's window).
COMPRESS_WBITS = [9, 12, 15, -9, -12, -15, 25, 28, 31]
LEVELS = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def outcome(fn, *args, **kwargs):
    """(result) or (exception type name, message): what a call does."""
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as e:  # noqa: BLE001 - we compare any exception
        return (type(e).__name__ if not isinstance(e, (stdzlib.error, zlib.error)) else "zlib.error", str(e))


def same(call):
    """Runs `call(module)` on both modules and asserts identical outcomes."""
    expected = outcome(call, stdzlib)
    got = outcome(call, zlib)
    assert got == expected
    return got


# --- API surface -------------------------------------------------------------------------

PUBLIC = [n for n in dir(stdzlib) if not n.startswith("_")]


def test_public_names_present():
    missing = [n for n in PUBLIC if not hasattr(zlib, n)]
    assert missing == []


VERSION_NAMES = ("ZLIB_VERSION", "ZLIB_RUNTIME_VERSION")


@pytest.mark.parametrize("name", [n for n in PUBLIC if n.isupper() and n not in VERSION_NAMES])
def test_constants(name):
    assert getattr(zlib, name) == getattr(stdzlib, name)
    assert type(getattr(zlib, name)) is type(getattr(stdzlib, name))


def _loaded_zlib_version():
    """zlibVersion() of the libz the process has loaded (SwiftPy links the system's)."""
    import ctypes
    import ctypes.util
    lib = ctypes.CDLL(ctypes.util.find_library("z") or "libz.so.1")
    lib.zlibVersion.restype = ctypes.c_char_p
    return lib.zlibVersion().decode()


def test_version_constants_describe_swiftpys_own_zlib():
    # As in CPython: ZLIB_VERSION is the zlib.h the module was COMPILED with (the system's
    # zlib1g-dev, whatever zlib the stdlib module was built with: Debian's 3.14 links a
    # newer one), ZLIB_RUNTIME_VERSION the libz LOADED at run time. Same major version.
    assert type(zlib.ZLIB_VERSION) is str and type(zlib.ZLIB_RUNTIME_VERSION) is str
    assert zlib.ZLIB_RUNTIME_VERSION == _loaded_zlib_version()
    assert zlib.ZLIB_VERSION.split(".")[0] == zlib.ZLIB_RUNTIME_VERSION.split(".")[0]
    import shutil
    import subprocess
    if shutil.which("pkg-config"):
        headers = subprocess.run(["pkg-config", "--modversion", "zlib"], capture_output=True, text=True)
        if headers.returncode == 0:
            assert zlib.ZLIB_VERSION == headers.stdout.strip()


def test_error_class():
    assert issubclass(zlib.error, Exception)
    assert zlib.error.__name__ == "error"
    assert zlib.error is not stdzlib.error


@pytest.mark.parametrize("name", ["compress", "decompress", "compressobj", "decompressobj", "crc32", "adler32"])
def test_function_signatures(name):
    if name == "compress" and sys.version_info < (3, 11):
        pytest.skip("stdlib zlib.compress has no wbits before 3.11; swiftpy.zlib's has")
    ours = inspect.signature(getattr(zlib, name))
    if name in ("compress", "compressobj"):
        # The stdlib's parameters, plus a keyword-only engine='zlib' at the end.
        engine = ours.parameters["engine"]
        assert (engine.kind, engine.default) == (inspect.Parameter.KEYWORD_ONLY, "zlib")
        ours = ours.replace(parameters=[p for p in ours.parameters.values() if p.name != "engine"])
    try:
        expected = inspect.signature(getattr(stdzlib, name))
    except ValueError:
        # 3.14's own zlib.compressobj says `zdict=<unrepresentable>`, which its stricter
        # inspect cannot parse; ours must still parse, with the documented defaults.
        assert name == "compressobj" and sys.version_info >= (3, 14)
        assert str(ours) == "(level=-1, method=8, wbits=15, memLevel=8, strategy=0, zdict=None)"
        return
    assert ours == expected


@pytest.mark.parametrize("method", ["compress", "flush", "copy", "__copy__", "__deepcopy__"])
def test_compress_method_signatures(method):
    assert inspect.signature(getattr(zlib.compressobj(), method)) == inspect.signature(
        getattr(stdzlib.compressobj(), method))


@pytest.mark.parametrize("method", ["decompress", "flush", "copy", "__copy__", "__deepcopy__"])
def test_decompress_method_signatures(method):
    assert inspect.signature(getattr(zlib.decompressobj(), method)) == inspect.signature(
        getattr(stdzlib.decompressobj(), method))


def test_parallel_compress_signature():
    assert str(inspect.signature(zlib.parallel_compress)) == \
        "(data, level=-1, wbits=15, threads=None, block_size=None, *, engine='zlib')"


def test_types_not_instantiable():
    with pytest.raises(TypeError):
        type(zlib.compressobj())()
    with pytest.raises(TypeError):
        type(zlib.decompressobj())()
    assert type(zlib.compressobj()).__name__ == "Compress"
    assert type(zlib.decompressobj()).__name__ == "Decompress"


# --- one-shot functions ------------------------------------------------------------------

@pytest.mark.parametrize("name", INPUTS)
@pytest.mark.parametrize("level", [-1, 0, 1, 6, 9])
def test_compress_matches(name, level):
    data = INPUTS[name]
    ours, theirs = zlib.compress(data, level), stdzlib.compress(data, level)
    if level == 0:
        # Stored blocks are cut where each deflate() call's output space ends, which
        # differs (we presize the output); both are valid and decode the same.
        assert stdzlib.decompress(ours) == data and abs(len(ours) - len(theirs)) <= len(data) // 1000 + 16
    else:
        assert ours == theirs


@pytest.mark.parametrize("wbits", COMPRESS_WBITS)
def test_compress_wbits_forms(wbits):
    for data in (b"", b"abc", TEXT[:100000]):
        out = zlib.compress(data, wbits=wbits)
        assert out == std_compress(data, wbits=wbits)
        assert stdzlib.decompress(out, wbits) == data
        assert zlib.decompress(out, wbits) == data


@pytest.mark.parametrize("name", INPUTS)
def test_decompress_roundtrip_both_ways(name):
    data = INPUTS[name]
    assert zlib.decompress(stdzlib.compress(data)) == data
    assert stdzlib.decompress(zlib.compress(data)) == data


def test_decompress_auto_and_header_window():
    data = TEXT[:50000]
    for wbits in (15, 31):
        assert zlib.decompress(std_compress(data, wbits=wbits), 47) == data
    assert zlib.decompress(std_compress(data, wbits=12), 0) == data
    assert zlib.decompress(gzip.compress(data), 31) == data
    assert gzip.decompress(zlib.compress(data, wbits=31)) == data


def test_bytes_like_inputs():
    data = TEXT[:20000]
    packed = stdzlib.compress(data)
    for wrap in (bytes, bytearray, memoryview, lambda b: memoryview(b).cast("I", [len(b) // 4])[:]):
        chunk = data[: len(data) // 4 * 4]
        assert zlib.compress(wrap(chunk)) == stdzlib.compress(chunk)
        assert zlib.crc32(wrap(chunk)) == stdzlib.crc32(chunk)
        assert zlib.adler32(wrap(chunk)) == stdzlib.adler32(chunk)
    assert zlib.decompress(bytearray(packed)) == data
    import array
    assert zlib.decompress(array.array("B", packed)) == data


@pytest.mark.parametrize("bufsize", [0, 1, 7, 16384, 10 ** 7])
def test_decompress_bufsize(bufsize):
    data = TEXT[:100000]
    assert zlib.decompress(stdzlib.compress(data), 15, bufsize) == data
    assert zlib.decompress(stdzlib.compress(data), bufsize=bufsize) == data


def test_decompress_ignores_trailing_data():
    same(lambda m: m.decompress(stdzlib.compress(b"abc") + b"trailing"))


BAD_CALLS = {
    "bad level": lambda m: m.compress(b"x", 10),
    "bad level neg": lambda m: m.compress(b"x", -2),
    "bad wbits": lambda m: m.compress(b"x", 6, 99),
    "wbits 0 compress": lambda m: m.compress(b"x", 6, 0),
    "level overflow": lambda m: m.compress(b"x", 2 ** 40),
    "level float": lambda m: m.compress(b"x", 1.0),
    "level str": lambda m: m.compress(b"x", "1"),
    "level bool": lambda m: m.compress(b"x", True),
    "str data": lambda m: m.compress("text"),
    "None data": lambda m: m.compress(None),
    "int data": lambda m: m.decompress(5),
    "non-contiguous": lambda m: m.compress(memoryview(b"abcdef")[::2]),
    "empty stream": lambda m: m.decompress(b""),
    "truncated": lambda m: m.decompress(stdzlib.compress(TEXT[:5000])[:-10]),
    "truncated checksum": lambda m: m.decompress(stdzlib.compress(b"hello")[:-1]),
    "garbage": lambda m: m.decompress(b"garbage data"),
    "bad checksum": lambda m: m.decompress(stdzlib.compress(b"hello")[:-1] + b"\x00"),
    "corrupt block": lambda m: m.decompress(b"x\x9c\xff\xff\xff\xff"),
    "wrong format": lambda m: m.decompress(std_compress(b"hello", wbits=31)),
    "bad decompress wbits": lambda m: m.decompress(b"x", 99),
    "negative bufsize": lambda m: m.decompress(b"x", bufsize=-1),
    "huge bufsize": lambda m: m.decompress(b"x", 15, 2 ** 70),
    "crc str": lambda m: m.crc32("text"),
    "crc value float": lambda m: m.crc32(b"", 1.5),
    "crc value str": lambda m: m.crc32(b"", "1"),
    "adler non-contiguous": lambda m: m.adler32(memoryview(b"abcdef")[::2]),
    "compressobj level": lambda m: m.compressobj(99),
    "compressobj method": lambda m: m.compressobj(method=9),
    "compressobj wbits": lambda m: m.compressobj(wbits=40),
    "compressobj memLevel": lambda m: m.compressobj(memLevel=0),
    "compressobj strategy": lambda m: m.compressobj(strategy=99),
    "compressobj overflow": lambda m: m.compressobj(2 ** 40),
    "compressobj zdict str": lambda m: m.compressobj(zdict="abc"),
    "compressobj zdict None": lambda m: m.compressobj(zdict=None),
    "compressobj gzip zdict": lambda m: m.compressobj(wbits=31, zdict=b"abc"),
    "decompressobj wbits": lambda m: m.decompressobj(99),
    "decompressobj zdict str": lambda m: m.decompressobj(zdict="abc"),
    "decompressobj zdict None": lambda m: m.decompressobj(zdict=None),
    "decompress bad max_length": lambda m: m.decompressobj().decompress(b"x", -1),
    "decompress max_length overflow": lambda m: m.decompressobj().decompress(b"x", 2 ** 70),
    "decompress max_length None": lambda m: m.decompressobj().decompress(b"x", max_length=None),
    "decompress str": lambda m: m.decompressobj().decompress("x"),
    "decompress garbage": lambda m: m.decompressobj().decompress(b"garbage data"),
    "dflush zero": lambda m: m.decompressobj().flush(0),
    "dflush negative": lambda m: m.decompressobj().flush(-1),
    "dflush overflow": lambda m: m.decompressobj().flush(2 ** 70),
    "cflush bad mode": lambda m: m.compressobj().flush(99),
    "cflush overflow": lambda m: m.compressobj().flush(2 ** 40),
    "ccompress str": lambda m: m.compressobj().compress("x"),
    "need dict": lambda m: m.decompress(stdzlib.compressobj(zdict=b"dictionary").compress(b"x")),
}


#: Cases where older stdlib zlib differs: the first version that behaves like swiftpy.zlib.
STDLIB_SINCE = {
    "bad wbits": (3, 11), "wbits 0 compress": (3, 11),  # compress() takes wbits from 3.11
    # 3.9 says "integer argument expected, got float" / "an integer is required (got type str)"
    "level float": (3, 10), "level str": (3, 10), "crc value float": (3, 10),
    "crc value str": (3, 10), "decompress max_length None": (3, 10),
}


@pytest.mark.parametrize("case", BAD_CALLS)
def test_errors_match_stdlib(case):
    if sys.version_info < STDLIB_SINCE.get(case, (3,)):
        pytest.skip("this interpreter's stdlib zlib predates the behaviour swiftpy.zlib follows")
    same(BAD_CALLS[case])


def test_errors_are_module_error():
    with pytest.raises(zlib.error):
        zlib.decompress(b"garbage")
    with pytest.raises(zlib.error, match="Bad compression level"):
        zlib.compress(b"", 11)


def test_use_after_flush():
    def compress_after_finish(m):
        c = m.compressobj()
        c.compress(b"abc")
        c.flush()
        return [outcome(c.compress, b"x"), outcome(c.flush), outcome(c.copy),
                outcome(c.flush, m.Z_SYNC_FLUSH), outcome(c.flush, m.Z_NO_FLUSH)]

    def decompress_after_flush(m):
        d = m.decompressobj()
        d.decompress(stdzlib.compress(b"abc") + b"extra")
        first = d.flush()
        return [first, d.eof, d.unused_data, outcome(d.copy), outcome(d.decompress, b"x"), outcome(d.flush)]

    same(compress_after_finish)
    same(decompress_after_flush)


# --- checksums ---------------------------------------------------------------------------

# Out-of-range starting values are deprecated on 3.15 (both modules warn; the warning
# itself is checked in test_out_of_range_start_warns_as_the_stdlib).
@pytest.mark.filterwarnings("ignore:integer value out of range:DeprecationWarning")
@pytest.mark.parametrize("fn", ["crc32", "adler32"])
def test_checksums(fn):
    ours, theirs = getattr(zlib, fn), getattr(stdzlib, fn)
    for data in list(INPUTS.values()) + [RANDOM_1M[:5119], RANDOM_1M[:5120], RANDOM_1M[:5121]]:
        assert ours(data) == theirs(data)
        for start in (0, 1, 12345, 2 ** 32 - 1, 2 ** 32 + 5, -1, -(2 ** 40), 2 ** 70, -(2 ** 70), True):
            assert ours(data, start) == theirs(data, start), (len(data), start)
    # Running checksums over pieces.
    value = ours(b"")
    for i in range(0, len(TEXT), 99991):
        value = ours(TEXT[i:i + 99991], value)
    assert value == theirs(TEXT)


@pytest.mark.parametrize("start", [-(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, -(2 ** 63), 2 ** 70])
@pytest.mark.parametrize("fn", ["crc32", "adler32"])
def test_out_of_range_start_warns_as_the_stdlib(fn, start):
    """CPython 3.15 deprecates starting values outside [INT_MIN, UINT_MAX] (still masked):
    the same DeprecationWarning, on the caller's line, exactly where the stdlib gives one."""
    import warnings

    def caught(call):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            value = call(b"abc", start)
        return value, [(w.category, str(w.message), w.filename) for w in seen]

    assert caught(getattr(zlib, fn)) == caught(getattr(stdzlib, fn))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            expected = getattr(stdzlib, fn)(b"abc", start)
        except DeprecationWarning as error:
            with pytest.raises(DeprecationWarning, match=str(error)):
                getattr(zlib, fn)(b"abc", start)
        else:
            assert getattr(zlib, fn)(b"abc", start) == expected


@pytest.mark.filterwarnings("ignore:integer value out of range:DeprecationWarning")
def test_checksum_index_objects():
    class Index:
        def __index__(self):
            return 2 ** 40 + 7

    assert zlib.crc32(b"abc", Index()) == stdzlib.crc32(b"abc", Index())


# --- Compress / Decompress objects -------------------------------------------------------

def chunked(data, sizes):
    i = 0
    k = 0
    while i < len(data):
        n = sizes[k % len(sizes)]
        yield data[i:i + n]
        i += n
        k += 1


@pytest.mark.parametrize("wbits", COMPRESS_WBITS)
def test_compressobj_streaming_matches(wbits):
    data = TEXT[:300000]
    a = zlib.compressobj(6, zlib.DEFLATED, wbits)
    b = stdzlib.compressobj(6, stdzlib.DEFLATED, wbits)
    out_a, out_b = [], []
    for i, piece in enumerate(chunked(data, [1, 7, 1000, 65537, 3])):
        out_a.append(a.compress(piece))
        out_b.append(b.compress(piece))
        if i % 50 == 17:
            mode = [zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH, zlib.Z_PARTIAL_FLUSH, zlib.Z_BLOCK, zlib.Z_NO_FLUSH][i % 5]
            out_a.append(a.flush(mode))
            out_b.append(b.flush(mode))
    out_a.append(a.flush())
    out_b.append(b.flush())
    assert out_a == out_b
    assert stdzlib.decompress(b"".join(out_a), wbits) == data


@pytest.mark.parametrize("level,memLevel,strategy", [
    (0, 8, 0), (1, 1, 0), (9, 9, 0), (6, 8, stdzlib.Z_FILTERED), (6, 8, stdzlib.Z_HUFFMAN_ONLY),
    (6, 8, stdzlib.Z_RLE), (6, 8, stdzlib.Z_FIXED), (3, 5, 0)])
def test_compressobj_parameters(level, memLevel, strategy):
    data = INPUTS["text"][:200000] + INPUTS["random"][:50000]
    a = zlib.compressobj(level, zlib.DEFLATED, 15, memLevel, strategy)
    b = stdzlib.compressobj(level, stdzlib.DEFLATED, 15, memLevel, strategy)
    ours, theirs = a.compress(data) + a.flush(), b.compress(data) + b.flush()
    if level == 0:  # stored blocks end where output space does (see test_compress_matches)
        assert stdzlib.decompress(ours) == data and abs(len(ours) - len(theirs)) < len(data) // 1000 + 16
    else:
        assert ours == theirs


@pytest.mark.parametrize("wbits", [15, -15, 12, -9])
def test_zdict(wbits):
    zdict = b"the quick brown fox jumps over the lazy dog line"
    data = TEXT[:20000]
    a = zlib.compressobj(wbits=wbits, zdict=zdict)
    b = stdzlib.compressobj(wbits=wbits, zdict=zdict)
    packed = a.compress(data) + a.flush()
    assert packed == b.compress(data) + b.flush()
    for mod in (zlib, stdzlib):
        d = mod.decompressobj(wbits=wbits, zdict=bytearray(zdict))
        assert d.decompress(packed) + d.flush() == data
    # Without the dictionary: same error from both.
    same(lambda m: m.decompressobj(wbits=wbits).decompress(packed))


def test_zdict_empty_and_bytes_like():
    same(lambda m: m.compressobj(zdict=b"").compress(b"abc"))
    same(lambda m: m.compressobj(wbits=-15, zdict=memoryview(b"abc")).flush())
    same(lambda m: m.decompressobj(wbits=-15, zdict=b"").decompress(std_compress(b"abc", wbits=-15)))
    same(lambda m: m.compressobj(wbits=31, zdict=b"").flush())


@pytest.mark.parametrize("wbits_c,wbits_d", [(15, 15), (-15, -15), (31, 31), (31, 47), (15, 47), (12, 0), (9, 15)])
def test_decompressobj_streaming_matches(wbits_c, wbits_d):
    data = TEXT[:250000]
    packed = std_compress(data, 6, wbits_c) + b"unused tail"
    a = zlib.decompressobj(wbits_d)
    b = stdzlib.decompressobj(wbits_d)
    for piece in chunked(packed, [1, 13, 4096, 333]):
        assert a.decompress(piece) == b.decompress(piece)
        assert (a.eof, a.unused_data, a.unconsumed_tail) == (b.eof, b.unused_data, b.unconsumed_tail)
    assert a.flush() == b.flush()
    assert (a.eof, a.unused_data, a.unconsumed_tail) == (True, b"unused tail", b"")


@pytest.mark.parametrize("max_length", [1, 10, 4096, 100000])
def test_max_length_and_unconsumed_tail(max_length):
    packed = stdzlib.compress(TEXT[:200000])
    a, b = zlib.decompressobj(), stdzlib.decompressobj()
    tail_a = tail_b = packed
    outs = []
    for _ in range(100000):
        ra = a.decompress(tail_a, max_length)
        rb = b.decompress(tail_b, max_length)
        assert ra == rb
        assert len(ra) <= max_length
        assert a.unconsumed_tail == b.unconsumed_tail
        assert a.eof == b.eof
        outs.append(ra)
        tail_a, tail_b = a.unconsumed_tail, b.unconsumed_tail
        if not tail_a:
            break
    assert a.flush() == b.flush()
    if max_length >= 4096:
        assert b"".join(outs) == TEXT[:200000]


def test_decompress_flush_continues_unconsumed_tail():
    packed = stdzlib.compress(TEXT[:100000])

    def run(m):
        d = m.decompressobj()
        first = d.decompress(packed, 1000)
        rest = d.flush(7)
        return first, rest, d.eof, d.unconsumed_tail, d.unused_data

    same(run)


@pytest.mark.parametrize("how", ["copy", "__copy__", "copy.copy", "copy.deepcopy", "__deepcopy__"])
def test_copy_mid_stream(how):
    def dup(obj):
        if how == "copy.copy":
            return copy.copy(obj)
        if how == "copy.deepcopy":
            return copy.deepcopy(obj)
        if how == "__deepcopy__":
            return obj.__deepcopy__({})
        return getattr(obj, how)()

    data = TEXT[:100000]
    c = zlib.compressobj()
    head = c.compress(data[:50000])
    c2 = dup(c)
    assert type(c2) is type(c)
    end1 = c.compress(data[50000:]) + c.flush()
    end2 = c2.compress(b"different ending") + c2.flush()
    assert stdzlib.decompress(head + end1) == data
    assert stdzlib.decompress(head + end2) == data[:50000] + b"different ending"

    packed = stdzlib.compress(data)
    d = zlib.decompressobj()
    first = d.decompress(packed[:1000])
    d2 = dup(d)
    rest1 = d.decompress(packed[1000:]) + d.flush()
    rest2 = d2.decompress(packed[1000:]) + d2.flush()
    assert first + rest1 == data == first + rest2
    assert d2.eof and d.eof


def test_copy_keeps_unused_data_and_eof():
    def run(m):
        d = m.decompressobj()
        d.decompress(stdzlib.compress(b"abc") + b"more")
        e = d.copy()
        return e.eof, e.unused_data, e.unconsumed_tail, e.flush()

    same(run)


@pytest.mark.parametrize("factory", ["compressobj", "decompressobj"])
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_refused(factory, protocol):
    """As the stdlib: a TypeError for every protocol (a pickle could not restore the
    stream), worded as the interpreter words it for the stdlib's type, with our type's
    name."""
    with pytest.raises(TypeError) as info:
        pickle.dumps(getattr(zlib, factory)(), protocol)
    name = type(getattr(stdzlib, factory)()).__name__
    assert str(info.value) == f"cannot pickle 'swiftpy.zlib.{name}' object"
    if protocol >= 2:  # the stdlib's own TypeError (0 and 1 fail on the class lookup)
        with pytest.raises(TypeError) as std:
            pickle.dumps(getattr(stdzlib, factory)(), protocol)
        assert str(info.value) == str(std.value).replace("'zlib.", "'swiftpy.zlib.")


def test_properties_read_only():
    d = zlib.decompressobj()
    for name in ("unused_data", "unconsumed_tail", "eof"):
        with pytest.raises(AttributeError):
            setattr(d, name, b"x")


def test_flush_modes_match():
    for mode in (stdzlib.Z_NO_FLUSH, stdzlib.Z_PARTIAL_FLUSH, stdzlib.Z_SYNC_FLUSH, stdzlib.Z_FULL_FLUSH,
                 stdzlib.Z_BLOCK, stdzlib.Z_TREES, stdzlib.Z_FINISH):
        def run(m):
            c = m.compressobj()
            return c.compress(TEXT[:3000]), c.flush(mode), c.compress(b"more"), outcome(c.flush)
        same(run)


# --- parallel_compress -------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, 1000, 131072, 131073, 3 * 131072 + 5, 2_000_000])
def test_parallel_compress_sizes(size):
    data = (TEXT * 2)[:size]
    for wbits in (15, 31, -15):
        out = zlib.parallel_compress(data, wbits=wbits)
        assert stdzlib.decompress(out, wbits) == data
    assert gzip.decompress(zlib.parallel_compress(data, wbits=31)) == data


@pytest.mark.parametrize("level", LEVELS)
def test_parallel_compress_levels(level):
    data = TEXT[:700000] + RANDOM_1M[:100000]
    out = zlib.parallel_compress(data, level, threads=2, block_size=65536)
    assert stdzlib.decompress(out) == data


@pytest.mark.parametrize("wbits", [8, 9, 10, 12, 15, -9, -10, -15, 25, 26, 31])
def test_parallel_compress_wbits(wbits):
    data = TEXT[:500000]
    out = zlib.parallel_compress(data, 6, wbits, threads=3, block_size=32768)
    if wbits > 0:
        assert out[:2] == std_compress(b"", 6, wbits)[:2]
    assert stdzlib.decompress(out, 47 if wbits > 0 else wbits) == data


def test_parallel_compress_header_matches_compress():
    for wbits in (15, 31, 9):
        for level in (-1, 1, 4, 9):
            assert zlib.parallel_compress(b"abc", level, wbits)[:2] == std_compress(b"abc", level, wbits)[:2]


def test_parallel_compress_same_output_any_thread_count():
    data = TEXT[:1_000_000]
    outs = {zlib.parallel_compress(data, threads=t) for t in (1, 2, 3, 8)}
    assert len(outs) == 1


def test_parallel_compress_ratio_within_one_percent():
    data = TEXT
    serial = len(stdzlib.compress(data, 6))
    parallel = len(zlib.parallel_compress(data, 6))
    assert parallel <= serial * 1.01


def test_parallel_compress_bytes_like_and_errors():
    data = bytearray(TEXT[:300000])
    assert stdzlib.decompress(zlib.parallel_compress(memoryview(data))) == data
    assert stdzlib.decompress(zlib.parallel_compress(data=data, block_size=40000, threads=None)) == data
    with pytest.raises(ValueError, match="threads"):
        zlib.parallel_compress(b"x", threads=0)
    with pytest.raises(ValueError, match="block_size"):
        zlib.parallel_compress(b"x", block_size=100)
    with pytest.raises(zlib.error, match="Bad compression level"):
        zlib.parallel_compress(b"x", level=10)
    with pytest.raises(zlib.error, match="Bad compression level"):
        zlib.parallel_compress(b"x", wbits=47)
    with pytest.raises(TypeError):
        zlib.parallel_compress("text")


# --- threads -----------------------------------------------------------------------------

def run_threads(n, target):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_shared_compressobj_from_threads():
    """One object, many threads: each call is atomic, so the stream stays valid."""
    c = zlib.compressobj()
    pieces = [bytes([65 + i]) * 50000 + TEXT[i * 1000:(i + 1) * 1000] for i in range(8)]
    outputs = []
    lock = threading.Lock()

    def work(i):
        for _ in range(5):
            out = c.compress(pieces[i])
            with lock:
                outputs.append(out)

    run_threads(8, work)
    data = stdzlib.decompress(b"".join(outputs) + c.flush())
    assert len(data) == 5 * sum(len(p) for p in pieces)
    # Each compress() call's input is contiguous in the output stream.
    for p in pieces:
        assert data.count(p) == 5


def test_shared_decompressobj_from_threads():
    packed = stdzlib.compress(TEXT)
    d = zlib.decompressobj()
    chunks = [packed[i:i + 5000] for i in range(0, len(packed), 5000)]
    results = [None] * len(chunks)
    order = iter(range(len(chunks)))
    lock = threading.Lock()

    def work(_):
        while True:
            with lock:
                i = next(order, None)
                if i is None:
                    return
                results[i] = d.decompress(chunks[i])

    run_threads(4, work)
    assert b"".join(results) + d.flush() == TEXT


def test_many_objects_in_parallel():
    def work(i):
        data = TEXT[i * 10000:] + bytes([i]) * 1000
        c = zlib.compressobj(i % 10)
        packed = b"".join(c.compress(p) for p in chunked(data, [5000, 77])) + c.flush()
        assert stdzlib.decompress(packed) == data
        d = zlib.decompressobj()
        assert d.decompress(packed) + d.flush() == data
        assert zlib.decompress(zlib.compress(data, wbits=31), 31) == data
        assert zlib.crc32(data) == stdzlib.crc32(data)

    run_threads(6, work)


GIL_CASES = {
    "compress": lambda: zlib.compress(TEXT * 4, 9),
    "decompress": lambda: zlib.decompress(PACKED_BIG),
    # One call each (calls in a Python loop let the counter run between them), long
    # enough with the fastest engines (ISA-L crc32, libdeflate adler32: ~30 GB/s).
    "crc32": lambda: zlib.crc32(ZEROS_1G),
    "adler32": lambda: zlib.adler32(ZEROS_1G),
    "Compress.compress": lambda: zlib.compressobj(9).compress(TEXT * 4),
    "Compress.compress(engine=fast)": lambda: zlib.compressobj(1, engine="fast").compress(TEXT * 16),
    "Decompress.decompress": lambda: zlib.decompressobj().decompress(PACKED_BIG),
    "parallel_compress": lambda: zlib.parallel_compress(TEXT * 4, 9, threads=1),
}
PACKED_BIG = stdzlib.compress(bytes(300 << 20), 1)
ZEROS_1G = bytearray(1 << 30)  # calloc'd: zero pages, no memory until written


@pytest.mark.parametrize("case", GIL_CASES)
def test_gil_released(case):
    """A Python thread keeps running while the call works, far more than while the same
    call runs with the GIL held (gil_probe explains why both runs are needed)."""
    from gil_probe import assert_releases_gil
    assert_releases_gil(GIL_CASES[case], repeat=1)


# --- Ctrl-C --------------------------------------------------------------------------------

INTERRUPT_SCRIPT = textwrap.dedent(r"""
    import os, signal, sys, threading, time
    import swiftpy.zlib as zlib
    data = os.urandom(1 << 20) * 200   # 200 MB
    what = sys.argv[1]
    calls = {
        "compress": lambda: zlib.compress(data, 9),
        "decompress": lambda: zlib.decompress(packed),
        "parallel_compress": lambda: zlib.parallel_compress(data, 9, threads=2),
        "crc32": lambda: [zlib.crc32(data) for _ in range(1000)],
        "Compress.compress": lambda: zlib.compressobj(9).compress(data),
        "Compress.compress(engine=fast)": lambda: zlib.compressobj(1, engine="fast").compress(big),
        "Decompress.decompress": lambda: zlib.decompressobj().decompress(packed),
        "Decompress.decompress(max_length)": lambda: zlib.decompressobj().decompress(packed, 500 << 20),
        "Decompress.flush": lambda: flush_tail(),
        "_ZlibDecompressor.decompress": lambda: zlib._ZlibDecompressor().decompress(packed),
        "compress(engine=fast, level 6)": lambda: zlib.compress(data, 6, engine="fast"),
        "compress(engine=fast, level 6, 600 MB)": lambda: zlib.compress(big, 6, engine="fast"),
        "compress(engine=fast, level 1)": lambda: zlib.compress(big, 1, engine="fast"),
        "parallel_compress(engine=fast)": lambda: zlib.parallel_compress(big, 1, threads=2, engine="fast"),
    }
    def flush_tail():
        d = zlib.decompressobj()
        d.decompress(packed, 1)   # the rest waits in unconsumed_tail for flush()
        return d.flush()
    big = data * 3 if "level 1" in what or what.endswith(("engine=fast)", "600 MB)")) else None
    if what.startswith(("decompress", "Decompress", "_Zlib")):
        import zlib as stdzlib
        packed = stdzlib.compress(bytes(600 << 20), 1)   # 600 MB of zeros
    delay = float(sys.argv[2])
    threading.Timer(delay, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    start = time.monotonic()
    try:
        calls[what]()
    except KeyboardInterrupt:
        print("interrupted %.3f" % (time.monotonic() - start - delay))
    else:
        print("finished %.3f" % (time.monotonic() - start))
""")


@pytest.mark.parametrize("what, delay", [(what, 0.3) for what in [
    "compress", "decompress", "parallel_compress", "crc32", "Compress.compress", "Compress.compress(engine=fast)",
    "Decompress.decompress",
    "Decompress.decompress(max_length)", "Decompress.flush", "_ZlibDecompressor.decompress",
    "compress(engine=fast, level 6)", "compress(engine=fast, level 1)", "parallel_compress(engine=fast)"]] + [
    # SIGINT while libdeflate's private copy of the input is being made: in one piece, the
    # copy of 200 MB took 0.13-0.15 s here and over 0.3 s on a freshly booted VM; of
    # 600 MB, three times that.
    ("compress(engine=fast, level 6, 600 MB)", 0.01)])
def test_ctrl_c_interrupts_long_calls(what, delay):
    """KeyboardInterrupt within 100 ms of SIGINT, one-shot and streaming calls alike."""
    output = _run_script(INTERRUPT_SCRIPT, what, str(delay), timeout=60)
    word, seconds = output.split()
    assert word == "interrupted", output
    assert float(seconds) < 0.1


AFTER_INTERRUPT_SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading
    import swiftpy.zlib as zlib
    import zlib as stdzlib
    what = sys.argv[1]
    if what == "Compress":
        data = os.urandom(1 << 20) * 200                 # made before the timer starts
        obj, call = zlib.compressobj(9), lambda o: o.compress(data)
    else:
        packed = stdzlib.compress(bytes(600 << 20), 1)   # 600 MB of zeros
        obj = zlib.decompressobj() if what == "Decompress" else zlib._ZlibDecompressor()
        call = lambda o: o.decompress(packed)
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    try:
        call(obj)
        print("finished")
    except KeyboardInterrupt:
        pass
    for name, later in (("next", lambda: obj.decompress(b"x") if what != "Compress" else obj.compress(b"x")),
                        ("flush", lambda: obj.flush() if what != "_ZlibDecompressor" else None)):
        try:
            later()
            print(name, "ok")
        except zlib.error as error:
            print(name, error)
""")


@pytest.mark.parametrize("what", ["Compress", "Decompress", "_ZlibDecompressor"])
def test_an_object_interrupted_mid_call_raises_afterwards(what):
    """Its interrupted call took input whose output was dropped: carrying on would return a
    corrupt stream or data with a hole in it, so the object ends (the stdlib never stops
    mid-call)."""
    output = _run_script(AFTER_INTERRUPT_SCRIPT, what, timeout=120)
    lines = output.splitlines()
    operation = "compressing" if what == "Compress" else "decompressing"
    assert lines[0] == f"next Error -2 while {operation} data: inconsistent stream state", output
    if what != "_ZlibDecompressor":
        assert lines[1] == "flush Error -2 while flushing: inconsistent stream state", output


def _run_script(script, *arguments, timeout):
    """Runs `script` with `arguments` in a new interpreter that imports this one's
    swiftpy; its standard output (it must exit with 0)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True,
                            timeout=timeout, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout

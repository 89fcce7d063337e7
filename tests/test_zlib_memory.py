"""Out of memory is a MemoryError, never an abort.

Each case runs in a subprocess under a 1 GiB address-space limit (RLIMIT_AS) on inputs
whose output does not fit: a 600 MB decompression bomb (~600 KB of zlib data) through
every decompression path, and 700 MB of zeros through compress and parallel_compress.
The stdlib runs the same case in its own subprocess; the outcome (result, or exception
type and message) must be the same. Linux only: RLIMIT_AS is not enforced everywhere.
"""
import os
import subprocess
import sys
import textwrap
import zlib as stdzlib

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")

LIMIT = 1 << 30

SCRIPT = textwrap.dedent(r"""
    import resource, sys, zlib as stdzlib
    module, case, bomb_path = sys.argv[1:4]
    if module == "swiftpy":
        import swiftpy.zlib as zlib
    else:
        zlib = stdzlib
    bomb = open(bomb_path, "rb").read()
    zeros = None
    if case in ("compress", "parallel_compress"):
        zeros = bytes(700 << 20)
    elif case.startswith("parallel_compress "):   # "parallel_compress <MB> <engine>"
        zeros = bytes(int(case.split()[1]) << 20)
    def flush_path():
        d = zlib.decompressobj()
        d.decompress(bomb, 1)
        return d.flush()
    cases = {
        "decompress": lambda: zlib.decompress(bomb),
        "decompressobj": lambda: zlib.decompressobj().decompress(bomb),
        "decompressobj(max_length)": lambda: zlib.decompressobj().decompress(bomb, 700 << 20),
        "Decompress.flush": flush_path,
        "_ZlibDecompressor": lambda: zlib._ZlibDecompressor().decompress(bomb),
        "compress": lambda: zlib.compress(zeros, 1),
        "parallel_compress": lambda: zlib.parallel_compress(zeros, 1, threads=2),
    }
    if case.startswith("parallel_compress "):
        cases[case] = lambda: zlib.parallel_compress(zeros, 1, threads=2, engine=case.split()[2])
    call = cases[case]
    resource.setrlimit(resource.RLIMIT_AS, (%d, %d))
    try:
        result = call()
    except MemoryError as error:
        print("MemoryError", str(error))
    else:
        print("ok", len(result), stdzlib.crc32(result))
""" % (LIMIT, LIMIT))


def _zeros_crc(size, chunk=1 << 20):
    crc, block = 0, bytes(chunk)
    for _ in range(size // chunk):
        crc = stdzlib.crc32(block, crc)
    return crc


#: CRC-32 of the bomb's 600 MB of zeros.
ZEROS_CRC = _zeros_crc(600 << 20)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "bomb.z"
    path.write_bytes(stdzlib.compress(bytes(600 << 20), 9))  # 600 MB of zeros, ~600 KB
    return str(path)


def run(module, case, bomb):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run([sys.executable, "-c", SCRIPT, module, case, bomb], capture_output=True, text=True,
                            timeout=300, env=env)
    # An abort (Swift's "Fatal error: failed to allocate") is exit status -6 / 134.
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


@pytest.mark.parametrize("case", ["decompress", "decompressobj", "decompressobj(max_length)", "Decompress.flush",
                                  "compress"])
def test_same_outcome_as_stdlib(case, bomb):
    expected = run("stdlib", case, bomb)
    got = run("swiftpy", case, bomb)
    if sys.version_info >= (3, 15) and case == "decompressobj(max_length)":
        # KNOWN GAP (issue 13, open): 3.15's stdlib fits 600 MB here; swiftpy.zlib still
        # assembles its output and copies it into the bytes object (2x at the peak), so
        # under the same limit it may raise MemoryError -- never an abort.
        assert got == expected or got == "MemoryError Unable to allocate output buffer."
    elif case == "decompress":
        # swiftpy.zlib.decompress writes straight into the result bytes object (grown with
        # realloc, which moves pages, not bytes), so 600 MB fit under the 1 GiB limit; the
        # stdlib's blocks output buffer (3.10-3.14) needs the output twice at the end
        # (blocks + joined copy) and raises MemoryError. Output assembled elsewhere and
        # then copied into the result, as swiftpy.zlib did before, fails here too.
        assert got == f"ok {600 << 20} {ZEROS_CRC}"
    elif sys.version_info >= (3, 10):
        assert got == expected
    else:
        # CPython 3.9 grows ONE buffer with realloc and raises a bare MemoryError; it can
        # even fit 600 MB (with max_length) where swiftpy.zlib, which assembles its output
        # and then copies it into the bytes object (2x the output at the peak), cannot.
        assert got == expected or got == "MemoryError Unable to allocate output buffer."


def test_zlib_decompressor_bomb(bomb):
    got = run("swiftpy", "_ZlibDecompressor", bomb)
    if hasattr(stdzlib, "_ZlibDecompressor"):
        assert got == run("stdlib", "_ZlibDecompressor", bomb)
    else:
        assert got == "MemoryError Insufficient memory for buffer allocation"  # CPython 3.12+'s wording


def test_parallel_compress_near_the_limit(bomb):
    """700 MB input leaves little room for the workers: a MemoryError or the right stream."""
    got = run("swiftpy", "parallel_compress", bomb)
    assert got == "MemoryError Out of memory while compressing data" or got.startswith("ok ")


@pytest.mark.parametrize("megabytes", [300, 450])
@pytest.mark.parametrize("engine", ["zlib", "fast"])
def test_parallel_compress_that_fits_still_succeeds(bomb, megabytes, engine):
    """parallel_compress reserves its result object first (to write the blocks in place):
    under the limit, a reservation that leaves the workers too little memory must fall
    back to gathering the blocks, as before, not raise MemoryError."""
    got = run("swiftpy", f"parallel_compress {megabytes} {engine}", bomb)
    assert got.startswith("ok "), got


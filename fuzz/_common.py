"""Shared helpers for the SwiftPy atheris harnesses (fuzz/fuzz_*.py).

Every harness runs a random call against swiftpy and, where there is one, the reference
implementation (stdlib zlib, numpy, scipy), and fails (raises AssertionError, which
libFuzzer reports as a crash and saves as crash-<sha1>) when:

* the process dies: a Swift trap (SIGILL/SIGTRAP), abort, segfault — libFuzzer's signal
  handlers catch it and save the input;
* swiftpy raises an exception outside the harness's allowed set (e.g. SystemError,
  RuntimeError, AssertionError from a wrong result);
* the result differs from the reference.

Inputs are decoded with atheris.FuzzedDataProvider: "interesting" integers (0, ±1, the
int32/int64 edges, 2**70 ...) are picked from lists so that boundary values come up often
without coverage feedback from inside the (uninstrumented) Swift code.
"""
import os
import resource
import sys

# Cap the address space so that a huge-but-possible allocation fails (MemoryError, or a
# trap we want to see) instead of letting the machine swap or the OOM killer step in.
_AS_LIMIT = int(os.environ.get("SWIFTPY_FUZZ_AS_LIMIT_GB", "16")) << 30
try:
    resource.setrlimit(resource.RLIMIT_AS, (_AS_LIMIT, _AS_LIMIT))
except (ValueError, OSError):  # pragma: no cover - already lower
    pass

INT32_EDGES = [0, 1, -1, 2, 7, 8, 9, 15, 16, 31, 32, 47, 2 ** 31 - 1, -2 ** 31, 2 ** 31, 2 ** 32, -2 ** 32]
INT64_EDGES = [2 ** 62, -2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 63, -2 ** 63 - 1, 2 ** 64, 2 ** 70, -2 ** 70]
EDGE_INTS = INT32_EDGES + INT64_EDGES


def pick_int(fdp, common, lo=-3, hi=40):
    """Mostly a value from `common`, sometimes an edge integer or a small random one."""
    choice = fdp.ConsumeIntInRange(0, 9)
    if choice < 6:
        return fdp.PickValueInList(common)
    if choice < 8:
        return fdp.PickValueInList(EDGE_INTS)
    return fdp.ConsumeIntInRange(lo, hi)


#: SWIFTPY_FUZZ_TRACE=1 prints every call before it is made: run a harness on a saved
#: crash-* file with it to see which call killed the process.
TRACE = os.environ.get("SWIFTPY_FUZZ_TRACE") == "1"


def outcome(fn, /, *args, **kwargs):
    """("ok", value) or ("exc", exception type, message)."""
    if TRACE:
        name = getattr(fn, "__qualname__", None) or repr(fn)
        print(f"call: {name}({describe(*args, **kwargs)})", file=sys.stderr, flush=True)
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - that is the point
        return ("exc", type(error), str(error))


def exc_name(kind):
    """Exception type name with both modules' `error` classes called zlib.error."""
    name = kind.__name__
    if name == "error":
        return "zlib.error"
    return name


def check_allowed(result, allowed, what):
    """Fail unless `result` is a success or an exception of an allowed type."""
    if result[0] == "exc" and not issubclass(result[1], allowed):
        raise AssertionError(f"{what}: unexpected {result[1].__name__}: {result[2]}")


def describe(*args, **kwargs):
    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def short(value):
    try:
        text = repr(value)
    except Exception as error:  # noqa: BLE001 - e.g. numpy str arrays demo.fill wrote into
        text = f"<{type(value).__name__}: repr failed: {type(error).__name__}>"
    return text if len(text) <= 80 else text[:60] + f"...<{len(text)} chars>"

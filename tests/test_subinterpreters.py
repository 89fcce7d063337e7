"""swiftpy.demo, swiftpy.zlib and swiftpy.blas in subinterpreters with their own GIL
(CPython 3.12+: `_xxsubinterpreters` on 3.12, `_interpreters` on 3.13+), and in the
legacy subinterpreters of 3.9-3.11 (shared GIL).

The modules declare per-interpreter-GIL support (`Py_mod_multiple_interpreters`), so an
isolated subinterpreter (own GIL, own allocator, `check_multi_interp_extensions`) must be
able to import them, get its own module objects, types and exception classes, and run
their builtins, also from two subinterpreters in two threads at once. numpy does not
support subinterpreters, so swiftpy.blas works there on array.array, memoryview and lists.

Each script runs in a fresh subinterpreter and reports a JSON dict (or its traceback)
through a file.
"""
import json
import os
import sys
import tempfile
import textwrap
import threading

import pytest

try:  # 3.13+
    import _interpreters as _interp

    def _create():
        return _interp.create("isolated")

    def _run_string(interp, code):
        failure = _interp.run_string(interp, code)
        if failure is not None:
            raise RuntimeError(f"subinterpreter failed: {failure.errdisplay}")
except ImportError:  # 3.12 (isolated: own GIL); before, a legacy one sharing the GIL
    _interp = pytest.importorskip("_xxsubinterpreters", reason="this CPython has no subinterpreter API")

    def _create():
        return _interp.create(isolated=True)

    def _run_string(interp, code):
        _interp.run_string(interp, code)

own_gil = pytest.mark.skipif(sys.version_info < (3, 12), reason="subinterpreters with their own GIL need CPython 3.12+")


WRAPPER = """\
import json, sys, traceback
sys.path[:] = {path!r}
result = {{}}
try:
{body}
except BaseException:
    result["__traceback__"] = traceback.format_exc()
with open({out!r}, "w") as f:
    json.dump(result, f)
"""


def run_in_subinterpreter(body):
    """Runs `body` (which fills the dict `result`) in a new isolated subinterpreter and
    returns `result`; re-raises the subinterpreter's exception with its traceback."""
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    interp = _create()
    try:
        code = WRAPPER.format(path=list(sys.path), out=out, body=textwrap.indent(textwrap.dedent(body), "    "))
        _run_string(interp, code)
        with open(out) as f:
            result = json.load(f)
    finally:
        _interp.destroy(interp)
        os.unlink(out)
    assert "__traceback__" not in result, result["__traceback__"]
    return result


@own_gil
def test_subinterpreter_has_its_own_gil():
    if hasattr(_interp, "get_config"):  # 3.13+
        interp = _create()
        try:
            assert _interp.get_config(interp).gil == "own"
        finally:
            _interp.destroy(interp)
    import swiftpy.zlib  # noqa: F401 - loaded in the main interpreter first

    result = run_in_subinterpreter("""
        import sys
        result["fresh"] = "swiftpy.zlib" not in sys.modules  # its own module table
        import swiftpy.zlib
        result["loaded"] = "swiftpy.zlib" in sys.modules
    """)
    assert result == {"fresh": True, "loaded": True}


@own_gil
def test_demo_in_subinterpreter():
    import swiftpy.demo as demo  # also loaded in the main interpreter meanwhile

    result = run_in_subinterpreter("""
        import inspect, threading, time
        import swiftpy.demo as demo
        result["add"] = demo.add(2, 3)
        result["greet"] = demo.greet("sub")
        result["signature"] = str(inspect.signature(demo.add))
        counter = demo.Counter(5)
        counter.add()
        result["counter"] = counter.add(n=2)
        try:
            demo.raise_error("from sub")
        except demo.DemoError as e:      # the subinterpreter's own exception class
            result["error"] = str(e)
        try:
            demo.add(2 ** 70, 1)             # a caught Python exception, released in the sub
        except OverflowError:
            result["overflow"] = True
        def boom(x):
            raise ValueError(x)
        try:
            demo.apply(boom, "callback")
        except ValueError as e:
            result["callback"] = str(e)
        marker = "sub"
        result["swift_thread"] = [demo.call_from_thread(lambda: marker) for _ in range(5)]
        try:   # a fire-and-forget thread could outlive the subinterpreter
            demo.call_in_background(lambda: None)
        except RuntimeError as e:
            result["background"] = str(e)
        data = bytearray(16)
        demo.fill(data, 7)
        result["fill"] = list(data)
        # A Python thread of this subinterpreter runs while a builtin is detached, far
        # more than while the same call keeps the GIL (swiftpy._native's switch).
        import sys, swiftpy._native as native
        def ticks_during_call():
            ticks, running = [0], [True]
            def count():
                while running[0]:
                    ticks[0] += 1
            t = threading.Thread(target=count)
            t.start()
            time.sleep(0.01)
            before = ticks[0]
            demo.sleep_detached(0.2)
            during = ticks[0] - before
            running[0] = False
            t.join()
            return during
        sys.setswitchinterval(0.0002)
        result["ticks_released"] = ticks_during_call()
        native.set_release_gil(False)
        try:
            result["ticks_held"] = ticks_during_call()
        finally:
            native.set_release_gil(True)
    """)
    released, held = result.pop("ticks_released"), result.pop("ticks_held")
    assert released > 10 * held + 1000, (released, held)
    assert result == {
        "add": 5, "greet": demo.greet("sub"), "signature": "(a, b)", "counter": 8,
        "error": "from sub", "overflow": True, "callback": "callback",
        "swift_thread": ["sub"] * 5, "fill": [7] * 16,
        "background": "call_in_background works only in the main interpreter",
    }
    assert demo.add(1, 1) == 2  # the main interpreter's module is unaffected


@own_gil
def test_zlib_in_subinterpreter():
    import zlib as stdzlib

    result = run_in_subinterpreter("""
        import zlib as stdzlib
        import swiftpy.zlib as zlib
        data = b"".join(b"line %d of the subinterpreter test\\n" % i for i in range(50000))
        packed = zlib.compress(data, 6)
        result["same_as_stdlib"] = packed == stdzlib.compress(data, 6)
        result["roundtrip"] = zlib.decompress(packed) == data
        result["parallel"] = stdzlib.decompress(zlib.parallel_compress(data, threads=2, block_size=65536)) == data
        c = zlib.compressobj(9, zlib.DEFLATED, 31)
        stream = c.compress(data[:1000]) + c.compress(data[1000:]) + c.flush()
        d = zlib.decompressobj(47)
        result["stream"] = d.decompress(stream) + d.flush() == data
        result["crc32"] = zlib.crc32(data)
        result["adler32"] = zlib.adler32(data)
        try:
            zlib.decompress(b"garbage")
        except zlib.error as e:
            result["error"] = str(e)
        result["error_is_own"] = zlib.error is not stdzlib.error
    """)
    data = b"".join(b"line %d of the subinterpreter test\n" % i for i in range(50000))
    assert result == {
        "same_as_stdlib": True, "roundtrip": True, "parallel": True, "stream": True,
        "crc32": stdzlib.crc32(data), "adler32": stdzlib.adler32(data),
        "error": "Error -3 while decompressing data: incorrect header check", "error_is_own": True,
    }


@own_gil
def test_blas_in_subinterpreter():
    result = run_in_subinterpreter("""
        import array
        import swiftpy.blas as blas
        n = 64
        a = memoryview(array.array("d", [float(i % 7) for i in range(n * n)])).cast("B").cast("d", [n, n])
        identity = memoryview(array.array("d", [1.0 if i // n == i % n else 0.0 for i in range(n * n)])).cast("B").cast("d", [n, n])
        product = blas.matmul(a, identity)          # big enough to release the GIL
        result["matmul"] = memoryview(product).tolist() == a.tolist()
        result["dgemm_lists"] = memoryview(blas.dgemm(2.0, [[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]])).tolist()
        result["ddot"] = blas.ddot(array.array("d", [1, 2, 3]), array.array("d", [4, 5, 6]))
        result["sdot"] = blas.sdot(array.array("f", [1, 2]), array.array("f", [3, 4]))
        try:
            blas.matmul(array.array("d", [1, 2, 3]), array.array("d", [1, 2]))
        except ValueError:
            result["mismatch"] = True
    """)
    assert result == {"matmul": True, "dgemm_lists": [[2.0, 4.0], [6.0, 8.0]], "ddot": 32.0, "sdot": 11.0,
                      "mismatch": True}


@own_gil
def test_two_subinterpreters_in_two_threads():
    """Two threads each run SwiftPy's builtins in their own subinterpreter (own GIL),
    concurrently; both get correct, independent results. (No timing assertion: how much
    the two overlap depends on the machine's load.)"""
    body = """
        import array, zlib as stdzlib
        import swiftpy.zlib as zlib, swiftpy.blas as blas, swiftpy.demo as demo
        seed = {seed}
        data = bytes((i * seed) % 251 for i in range(1 << 20))
        ok = True
        for _ in range(5):
            ok &= zlib.decompress(zlib.compress(data, 6)) == data
            ok &= stdzlib.decompress(zlib.parallel_compress(data, threads=2)) == data
        n = 96
        a = array.array("d", [float((i * seed) % 5) for i in range(n * n)])
        m = memoryview(a).cast("B").cast("d", [n, n])
        ok &= abs(blas.ddot(a, a) - sum(x * x for x in a)) < 1e-6
        total = memoryview(blas.matmul(m, m)).tolist()
        result.update(ok=ok, crc=zlib.crc32(data), seed=demo.add(seed, 0), rows=len(total))
    """
    results, errors = {}, []

    def worker(seed):
        try:
            results[seed] = run_in_subinterpreter(body.format(seed=seed))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (3, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors[0]
    import zlib as stdzlib
    for seed in (3, 7):
        r = results[seed]
        assert (r["ok"], r["seed"], r["rows"]) == (True, seed, 96)
        assert r["crc"] == stdzlib.crc32(bytes((i * seed) % 251 for i in range(1 << 20)))


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the tests above cover 3.12+")
def test_legacy_subinterpreter():
    """3.9-3.11: a subinterpreter sharing the GIL. A caught Python exception is released,
    and a Swift thread attaches, in the subinterpreter (not the main one: that would
    deadlock or run its code in the wrong interpreter)."""
    result = run_in_subinterpreter("""
        import zlib as stdzlib
        import swiftpy.demo as demo, swiftpy.zlib as zlib
        def boom(x):
            raise ValueError(x)
        try:
            demo.apply(boom, "callback")
        except ValueError as e:
            result["callback"] = str(e)
        marker = "sub"
        result["swift_thread"] = [demo.call_from_thread(lambda: marker) for _ in range(3)]
        data = b"legacy " * 10000
        result["zlib"] = stdzlib.decompress(zlib.compress(data)) == data
    """)
    assert result == {"callback": "callback", "swift_thread": ["sub"] * 3, "zlib": True}

"""swiftpy.demo: functions declared with SwiftPy's Function API behave like builtins."""
import inspect
import pickle
import sys
import types

import pytest

import swiftpy.demo as demo


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in bytes(data):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def test_builtin_function_type_and_repr():
    # A SwiftPy module function is CPython's own builtin function (so calls to it take the
    # interpreter's fast path for builtins); its `__self__` is a binding that carries the
    # Swift callable: a module subclass named like the module, so it reads like one.
    assert type(demo.add) is types.BuiltinFunctionType
    assert inspect.isbuiltin(demo.add) and callable(demo.add)
    assert repr(demo.add) == "<built-in function add>"
    assert demo.add.__module__ == "swiftpy.demo"
    assert demo.add.__name__ == demo.add.__qualname__ == "add"
    binding = demo.add.__self__
    assert isinstance(binding, types.ModuleType) and binding is not demo
    assert binding.__name__ == "swiftpy.demo" and type(binding).__name__ == "builtin_binding"
    assert demo.__name__ == "swiftpy.demo"


def test_pickles_by_reference():
    assert pickle.loads(pickle.dumps(demo.add)) is demo.add


def test_noop_and_add():
    assert demo.noop() is None
    assert demo.add(1, 2) == 3
    assert demo.add(a=-5, b=7) == 2
    assert demo.add(1, b=2) == 3
    assert demo.add(True, 1) == 2  # bool is an int, as in CPython's converters


class IntSubclass(int):
    pass


# Around the edges of the one-digit fast path (a digit is 30 bits; from 3.12 the sign and
# digit count share a tag), zero (no digit at all on 3.10), bools and int subclasses.
EDGE_INTS = [0, 1, -1, 2**30 - 1, -(2**30 - 1), 2**30, -(2**30), 2**31, -(2**31), 2**60 + 7, -(2**62),
             2**63 - 1, -(2**63), True, False, IntSubclass(0), IntSubclass(-3), IntSubclass(2**40)]


@pytest.mark.parametrize("value", EDGE_INTS, ids=repr)
def test_int_arguments_read_like_cpython(value):
    """`Int` parameters read the object's digits directly when it has at most one; every
    value converts to what `int(value)` is."""
    for other in (0, 1, -1):
        expected = int(value) + other
        if -(2**63) <= expected < 2**63:
            assert demo.add(value, other) == expected
            assert demo.add(other, value) == expected


class Index:
    def __index__(self):
        return 40


def test_int_conversion_accepts_index_and_rejects_float():
    assert demo.add(Index(), 2) == 42
    with pytest.raises(TypeError, match="'float' object cannot be interpreted as an integer"):
        demo.add(1.5, 2)
    with pytest.raises(TypeError, match="'str' object cannot be interpreted as an integer"):
        demo.add("1", 2)


@pytest.mark.parametrize("big", [2**63, -(2**63) - 1, 10**30])
def test_huge_ints_raise_overflow(big):
    with pytest.raises(OverflowError, match="Python int too large to convert to C long"):
        demo.add(big, 0)


def test_result_overflow_raises():
    with pytest.raises(OverflowError):
        demo.add(2**63 - 1, 1)


def test_signatures():
    assert str(inspect.signature(demo.add)) == "(a, b)"
    assert str(inspect.signature(demo.checksum)) == "(data, /, *, release_gil=True)"
    assert str(inspect.signature(demo.greet)) == "(name, greeting='Hello')"
    assert str(inspect.signature(demo.scale)) == "(values, factor=2.0)"
    assert str(inspect.signature(demo.double_or_none)) == "(x=None)"
    assert str(inspect.signature(demo.noop)) == "()"
    assert demo.add.__text_signature__ == "($module, a, b)"
    assert demo.add.__doc__.startswith("Return a + b")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: demo.add(1), "add() missing required argument 'b' (pos 2)"),
        (lambda: demo.add(), "add() missing required argument 'a' (pos 1)"),
        (lambda: demo.add(b=1), "add() missing required argument 'a' (pos 1)"),
        (lambda: demo.add(1, 2, c=3), "add() got an unexpected keyword argument 'c'"),
        (lambda: demo.add(1, 2, 3), "add() takes at most 2 arguments (3 given)"),
        (lambda: demo.add(1, a=2), "argument for add() given by name ('a') and position (1)"),
        (lambda: demo.noop(1), "noop() takes no arguments (1 given)"),
        (lambda: demo.noop(x=1), "noop() takes no arguments (1 given)"),
        (lambda: demo.checksum(), "checksum() takes at least 1 positional argument (0 given)"),
        (lambda: demo.checksum(b"", False), "checksum() takes at most 1 positional argument (2 given)"),
        (lambda: demo.checksum(data=b""), "checksum() got some positional-only arguments passed as keyword arguments: 'data'"),
        (lambda: demo.checksum(b"", release=False), "checksum() got an unexpected keyword argument 'release'"),
    ],
)
def test_argument_errors_read_like_cpython(call, message):
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message


def test_string_conversions_and_defaults():
    assert demo.greet("Ada") == "Hello, Ada!"
    assert demo.greet("Ada", greeting="Hi") == "Hi, Ada!"
    assert demo.greet("Zoë", "Grüß dich") == "Grüß dich, Zoë!"
    with pytest.raises(TypeError, match="expected str, not int"):
        demo.greet(1)


def test_list_dict_tuple_optional_conversions():
    assert demo.scale([1.0, 2.5]) == [2.0, 5.0]
    assert demo.scale((1, 2), factor=3) == [3.0, 6.0]
    assert demo.scale([]) == []
    with pytest.raises(TypeError):
        demo.scale([1.0, "x"])
    with pytest.raises(TypeError):
        demo.scale(5)
    assert demo.word_counts(["a", "b", "a"]) == {"a": 2, "b": 1}
    assert demo.pair(1, "x") == (1, "x")
    assert demo.double_or_none() is None
    assert demo.double_or_none(None) is None
    assert demo.double_or_none(21) == 42


def test_module_constants_and_exception_class():
    assert demo.ANSWER == 42
    assert demo.VERSION == "0.1.0"
    assert issubclass(demo.DemoError, Exception)
    assert demo.DemoError.__module__ == "swiftpy.demo"
    with pytest.raises(demo.DemoError, match="boom"):
        demo.raise_error("boom")


def test_plain_swift_errors_become_runtime_error():
    with pytest.raises(RuntimeError, match="DemoSwiftError: somethingWentWrong"):
        demo.fail_with_swift_error()


def test_python_exceptions_propagate_through_swift_unchanged():
    class Custom(Exception):
        pass

    err = Custom("original")

    def fail(_):
        raise err

    with pytest.raises(Custom) as info:
        demo.apply(fail, 1)
    assert info.value is err
    assert demo.apply(lambda x: x * 2, 21) == 42


def test_callback_from_a_swift_thread():
    import threading

    seen = []

    def callback():
        seen.append(threading.get_ident())
        return "from swift thread"

    assert demo.call_from_thread(callback) == "from swift thread"
    assert seen and seen[0] != threading.get_ident()

    def failing():
        raise KeyError("k")

    with pytest.raises(KeyError):
        demo.call_from_thread(failing)


def test_reference_counts_do_not_leak():
    value = object()
    before = sys.getrefcount(value)
    for _ in range(1000):
        demo.apply(lambda x: x, value)
        demo.double_or_none(None)
    assert sys.getrefcount(value) == before


@pytest.mark.parametrize("seconds", [float("nan"), float("-inf"), -1.0, 0.0])
def test_sleep_detached_never_traps_on_odd_durations(seconds):
    assert demo.sleep_detached(seconds) is True

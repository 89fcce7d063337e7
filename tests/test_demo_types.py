"""Heap types declared with SwiftPy's TypeDefinition: construction, methods, properties,
deallocation of the wrapped Swift object, and the type's Python-facing behaviour."""
import gc
import inspect
import threading

import pytest

import swiftpy.demo as demo


def test_construct_and_call_methods():
    c = demo.Counter(5)
    assert c.value == 5
    assert c.add() == 6
    assert c.add(n=4) == 10
    assert c.add(-10) == 0
    c.reset()
    assert c.value == 0
    assert demo.Counter().value == 0
    assert demo.Counter(start=3).value == 3


def test_type_identity_and_signature():
    assert type(demo.Counter(1)) is demo.Counter
    assert demo.Counter.__module__ == "swiftpy.demo"
    assert demo.Counter.__name__ == "Counter"
    assert str(inspect.signature(demo.Counter)) == "(start=0)"
    assert str(inspect.signature(demo.Counter.add)) == "(self, /, n=1)"
    assert demo.Counter.add.__doc__.startswith("Add n")


def test_property_get_set_and_errors():
    c = demo.Counter(1)
    c.value = 42
    assert c.value == 42
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        c.value = "x"
    with pytest.raises(AttributeError, match="cannot delete attribute 'value'"):
        del c.value
    with pytest.raises(AttributeError):
        c.other = 1  # no instance __dict__


def test_constructor_argument_errors():
    with pytest.raises(TypeError, match=r"Counter\(\) takes at most 1 argument \(2 given\)"):
        demo.Counter(1, 2)
    with pytest.raises(TypeError, match=r"Counter\(\) got an unexpected keyword argument 'begin'"):
        demo.Counter(begin=1)
    with pytest.raises(OverflowError):
        demo.Counter(2**80)


def test_methods_check_their_receiver():
    with pytest.raises(TypeError):
        demo.Counter.add(object())


def test_deallocation_releases_the_swift_object():
    gc.collect()
    before = demo.live_counters()
    counters = [demo.Counter(i) for i in range(100)]
    assert demo.live_counters() == before + 100
    del counters
    gc.collect()
    assert demo.live_counters() == before


def test_types_without_a_constructor_cannot_be_instantiated():
    buffer_type = type(demo.matrix(1, 1))
    with pytest.raises(TypeError):
        buffer_type()


def test_shared_object_used_detached_from_many_threads():
    c = demo.Counter(0)
    threads = [threading.Thread(target=c.add_detached, args=(10_000,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.value == 40_000
    with pytest.raises(ValueError):
        c.add_detached(-1)

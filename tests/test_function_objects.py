"""SwiftPy module functions are CPython builtin functions bound to a binding object that
carries their Swift callable (a `module` subclass, `swiftpy.builtin_binding`); methods are
objects that carry it (`swiftpy.method_descriptor`). They read, bind, pickle and collect
like CPython's builtins and method descriptors."""
import inspect
import pickle
import weakref

import pytest

import swiftpy.demo as demo
import swiftpy.zlib as zlib


def test_function_attributes_like_builtins():
    f = zlib.compress
    assert repr(f) == "<built-in function compress>"
    assert (f.__name__, f.__qualname__, f.__module__) == ("compress", "compress", "swiftpy.zlib")
    assert isinstance(f.__self__, type(zlib)) and f.__self__.__name__ == "swiftpy.zlib"
    assert inspect.isbuiltin(f)
    assert f.__text_signature__.startswith("($module, data, /")
    assert f.__doc__ and "--" not in f.__doc__.splitlines()[0]
    assert str(inspect.signature(f)) == "(data, /, level=-1, wbits=15, *, engine='zlib')"
    assert pickle.loads(pickle.dumps(f)) is f


def test_function_in_a_class_does_not_bind():
    # As with builtins: a function stored as a class attribute is not a method.
    class Holder:
        add = demo.add

    assert Holder().add(1, 2) == 3
    assert Holder.add is demo.add


def test_method_descriptor_and_bound_method():
    add = demo.Counter.add
    assert repr(add) == "<method 'add' of 'Counter' objects>"
    assert (add.__name__, add.__qualname__, add.__module__) == ("add", "Counter.add", "swiftpy.demo")
    assert add.__objclass__ is demo.Counter
    assert str(inspect.signature(add)) == "(self, /, n=1)"
    counter = demo.Counter(5)
    bound = counter.add
    assert bound.__self__ is counter and bound.__func__ is add
    assert str(inspect.signature(bound)) == "(n=1)"
    bound(2)
    add(counter, n=3)
    counter.add()
    assert counter.value == 11
    assert pickle.loads(pickle.dumps(add)) is add


def test_method_applied_to_the_wrong_object():
    with pytest.raises(TypeError, match=r"descriptor 'add' for 'Counter' objects doesn't apply to a 'int' object"):
        demo.Counter.add(5)
    with pytest.raises(TypeError, match=r"descriptor 'add' for 'Counter' objects doesn't apply to a 'int' object"):
        demo.Counter.add.__get__(5, int)
    with pytest.raises(TypeError, match=r"unbound method Counter.add\(\) needs an argument"):
        demo.Counter.add()


def test_weakrefs_and_cannot_be_instantiated():
    ref = weakref.ref(demo.add)
    assert ref() is demo.add
    with pytest.raises(TypeError):
        type(demo.add)()
    with pytest.raises(TypeError):
        type(demo.Counter.add)()


def test_function_type_is_per_module_object():
    # One binding type per module object, so subinterpreters never share one.
    assert type(demo.add.__self__) is not type(zlib.compress.__self__)
    assert type(demo.add.__self__).__name__ == type(zlib.compress.__self__).__name__ == "builtin_binding"
    assert type(demo.Counter.add) is not type(zlib.Compress.compress)

"""Swift objects that hold Python objects take part in cyclic garbage collection
(PyGCTraversable), and instances of SwiftPy types support weak references."""
import gc
import weakref

import pytest

from swiftpy import demo


def test_node_holds_any_object():
    payload = {"a": [1, 2]}
    node = demo.Node(payload)
    assert node.value is payload
    node.value = None
    assert node.value is None
    node.value = 42
    assert node.value == 42


def test_self_cycle_is_collected():
    gc.collect()
    n = demo.Node(None)
    n.value = n
    ref = weakref.ref(n)
    del n
    assert ref() is not None          # only the cycle keeps it alive now
    gc.collect()
    assert ref() is None              # ...and the collector freed it


def test_cycle_through_python_objects_is_collected():
    gc.collect()
    class Holder:
        pass
    holder = Holder()
    node = demo.Node(holder)
    holder.node = node                # node -> holder -> node
    ref_node, ref_holder = weakref.ref(node), weakref.ref(holder)
    del node, holder
    gc.collect()
    assert ref_node() is None and ref_holder() is None


def test_objects_held_are_released_with_the_node():
    class Tracked:
        pass
    tracked = Tracked()
    ref = weakref.ref(tracked)
    node = demo.Node(tracked)
    del tracked
    assert ref() is not None
    del node                          # no cycle: freed by reference counting alone
    assert ref() is None


def test_collector_sees_the_held_object():
    payload = []
    node = demo.Node(payload)
    assert any(referent is payload for referent in gc.get_referents(node))
    assert gc.is_tracked(node)


def test_weak_references_to_every_swiftpy_type():
    counter = demo.Counter(1)
    ref = weakref.ref(counter)
    assert ref() is counter
    del counter
    assert ref() is None
    proxy_target = demo.Node(1)
    proxy = weakref.proxy(proxy_target)
    assert proxy.value == 1


def test_types_without_python_references_stay_out_of_the_collector():
    assert not gc.is_tracked(demo.Counter(0))

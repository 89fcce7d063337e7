"""Declaring builtins: every fixed-width integer and float type may have a default (a
numeric literal that fits), and a wrong declaration fails the import with a message that
names the function, the parameter and both types (the optional case its own), never a
trap and never a message that names neither type.

Compiled here against the debug build, like the README example: one shared object with a
module of good declarations and one module per kind of mistake."""
import importlib.machinery
import importlib.util
import inspect
import shutil
import subprocess
import sys
import sysconfig

import pytest

import swift_build

ROOT = swift_build.ROOT
BUILD = swift_build.DEBUG

SOURCE = r'''
import SwiftPy

let good = ModuleDefinition(name: "decl_good", functions: [
    Function("ints", [Parameter("a", default: 10), Parameter("b", default: -5), Parameter("c", default: 300),
                      Parameter("d", default: 70000), Parameter("e", default: 7), Parameter("f", default: 8),
                      Parameter("g", default: 9), Parameter("h", default: 10), Parameter("i", default: 11)]) {
        (py: Python, a: UInt8, b: Int8, c: Int16, d: UInt32, e: Int32, f: Int64, g: UInt64, h: UInt, i: UInt16) -> String in
        "\(a) \(b) \(c) \(d) \(e) \(f) \(g) \(h) \(i)"
    },
    Function("floats", [Parameter("x", default: 0.5), Parameter("y", default: 2), Parameter("z", default: 1.25)]) {
        (py: Python, x: Float, y: Double, z: Double) -> String in "\(x) \(y) \(z)"
    },
    Function("maybe", [Parameter.optional("n")]) { (py: Python, n: UInt8?) -> Int in n.map(Int.init) ?? -1 },
])
@c(PyInit_decl_good) public func PyInit_decl_good() -> UnsafeMutableRawPointer? { good.initialize() }

let tooBig = ModuleDefinition(name: "decl_too_big", functions: [
    Function("f", [Parameter("byte", default: 300)]) { (py: Python, byte: UInt8) -> Int in Int(byte) },
])
@c(PyInit_decl_too_big) public func PyInit_decl_too_big() -> UnsafeMutableRawPointer? { tooBig.initialize() }

let wrongType = ModuleDefinition(name: "decl_wrong_type", functions: [
    Function("f", [Parameter("level", default: "high")]) { (py: Python, level: Int) -> Int in level },
])
@c(PyInit_decl_wrong_type) public func PyInit_decl_wrong_type() -> UnsafeMutableRawPointer? { wrongType.initialize() }

let notOptional = ModuleDefinition(name: "decl_not_optional", functions: [
    Function("f", [Parameter.optional("count")]) { (py: Python, count: UInt8) -> Int in Int(count) },
])
@c(PyInit_decl_not_optional) public func PyInit_decl_not_optional() -> UnsafeMutableRawPointer? { notOptional.initialize() }

let arity = ModuleDefinition(name: "decl_arity", functions: [
    Function("f", [Parameter("a")]) { (py: Python, a: Int, b: Int) -> Int in a + b },
])
@c(PyInit_decl_arity) public func PyInit_decl_arity() -> UnsafeMutableRawPointer? { arity.initialize() }
'''

needs_build = swift_build.needs_build()


@pytest.fixture(scope="module")
def shared_object(tmp_path_factory):
    return swift_build.compile_extension(SOURCE, tmp_path_factory.mktemp("decl"), "decl")




@needs_build
def test_every_fixed_width_type_may_have_a_default(shared_object):
    good = swift_build.load_extension("decl_good", shared_object)
    assert good.ints() == "10 -5 300 70000 7 8 9 10 11"
    assert good.ints(255, -128) == "255 -128 300 70000 7 8 9 10 11"
    assert str(inspect.signature(good.ints)) == "(a=10, b=-5, c=300, d=70000, e=7, f=8, g=9, h=10, i=11)"
    assert good.floats() == "0.5 2.0 1.25"
    assert str(inspect.signature(good.floats)) == "(x=0.5, y=2, z=1.25)"
    assert good.maybe() == -1 and good.maybe(7) == 7 and good.maybe(None) == -1
    with pytest.raises(OverflowError):
        good.ints(256)


@needs_build
@pytest.mark.parametrize("module,expected", [
    ("decl_too_big", "f(): the default 300 of parameter 'byte' does not fit in UInt8"),
    ("decl_wrong_type", "f(): the default of parameter 'level' is declared as String, but the closure takes Int"),
    ("decl_not_optional", "f(): parameter 'count' is declared with Parameter.optional (default None), "
                          "but the closure takes UInt8, not UInt8?"),
    ("decl_arity", "f() declares 1 parameters but its closure takes 2"),
])
def test_declaration_errors_name_the_parameter_and_types(shared_object, module, expected):
    with pytest.raises(SystemError) as error:
        swift_build.load_extension(module, shared_object)
    message = str(error.value)
    assert message.startswith(f"module {module}: "), message
    assert expected in message, message

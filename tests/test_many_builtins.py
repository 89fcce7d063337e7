"""No cap on builtins, and one module's failure never breaks another.

A shared object compiled here against the debug build (as the README example is) holds
three modules: `manybuiltins` with 4,000 functions and a type with 2,000 methods (far
more than the 1,024 C entry points a shared object used to have), `brokenmodule` whose
declaration is wrong (a default of the wrong type), and `finemodule`. They import next to
swiftpy.zlib, the broken one fails with a message naming the function, the parameter and
both types, and the others still import and work.
"""
import importlib.machinery
import importlib.util
import inspect
import pickle
import shutil
import subprocess
import sys
import sysconfig

import pytest

import swift_build

ROOT = swift_build.ROOT
BUILD = swift_build.DEBUG

FUNCTIONS = 4000
METHODS = 2000

SOURCE = r'''
import SwiftPy

final class Box: PythonClass {
    let value: Int
    init(_ value: Int) { self.value = value }
}

/// Builtins made in loops: each is its own Python object carrying its own closure.
let manyFunctions: [Function] = (0..<FUNCTIONS).map { i in
    Function("f\(i)", doc: "Returns x + \(i).", [Parameter("x"), Parameter("y", .keywordOnly, default: 0)]) {
        (py: Python, x: Int, y: Int) -> Int in x + y + i
    }
}

let manyMethods: [Method<Box>] = (0..<METHODS).map { i in
    Method<Box>("m\(i)", [Parameter("x", default: 1)]) { (py: Python, box: Box, x: Int) -> Int in box.value * x + i }
}

/// Eleven parameters: the same code path as one.
let wide = Function("wide", [
    Parameter("a"), Parameter("b"), Parameter("c"), Parameter("d"), Parameter("e"), Parameter("f"),
    Parameter("g"), Parameter("h"), Parameter("i", default: 9), Parameter("j", default: 10),
    Parameter("k", .keywordOnly, default: "eleven"),
]) { (py: Python, a: Int, b: Int, c: Int, d: Int, e: Int, f: Int, g: Int, h: Int, i: Int, j: Int, k: String) -> String in
    "\(a + b + c + d + e + f + g + h + i + j) \(k)"
}

let manyModule = ModuleDefinition(
    name: "manybuiltins", functions: manyFunctions + [wide],
    types: [TypeDefinition(Box.self, name: "Box", new: Constructor([Parameter("value")]) { (py: Python, value: Int) in Box(value) },
                           methods: manyMethods)])

@c(PyInit_manybuiltins)
public func PyInit_manybuiltins() -> UnsafeMutableRawPointer? { manyModule.initialize() }

/// A declaration error: the default of `level` is a String, the closure takes an Int.
let brokenModule = ModuleDefinition(name: "brokenmodule", functions: [
    Function("fine", [Parameter("x")]) { (py: Python, x: Int) -> Int in x },
    Function("bad", [Parameter("data"), Parameter("level", default: "high")]) { (py: Python, data: Int, level: Int) -> Int in data + level },
])

@c(PyInit_brokenmodule)
public func PyInit_brokenmodule() -> UnsafeMutableRawPointer? { brokenModule.initialize() }

let fineModule = ModuleDefinition(name: "finemodule", functions: [
    Function("twice", [Parameter("x")]) { (py: Python, x: Int) -> Int in 2 * x },
])

@c(PyInit_finemodule)
public func PyInit_finemodule() -> UnsafeMutableRawPointer? { fineModule.initialize() }
'''.replace("FUNCTIONS", str(FUNCTIONS)).replace("METHODS", str(METHODS))

needs_build = swift_build.needs_build()


@pytest.fixture(scope="module")
def shared_object(tmp_path_factory):
    return swift_build.compile_extension(SOURCE, tmp_path_factory.mktemp("many"), "many")


def load(name, path):
    """Imports the module `name` (its `PyInit_<name>`) from the shared object at `path`."""
    if name in sys.modules:
        return sys.modules[name]
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module


@needs_build
def test_thousands_of_builtins_import_next_to_swiftpy_zlib(shared_object):
    import swiftpy.zlib

    many = load("manybuiltins", shared_object)
    functions = [getattr(many, f"f{i}") for i in range(FUNCTIONS)]
    assert len(set(map(id, functions))) == FUNCTIONS
    assert [f(1) for f in functions] == [1 + i for i in range(FUNCTIONS)]
    assert many.f3999(1, y=2) == 4002
    assert many.f17.__name__ == "f17" and many.f17.__module__ == "manybuiltins"
    assert many.f17.__doc__ == "Returns x + 17."
    assert str(inspect.signature(many.f17)) == "(x, *, y=0)"
    assert pickle.loads(pickle.dumps(many.f2500)) is many.f2500
    with pytest.raises(TypeError, match=r"f9\(\) takes at most 1 positional argument \(2 given\)"):
        many.f9(1, 2)

    box = many.Box(10)
    assert [getattr(box, f"m{i}")(2) for i in range(METHODS)] == [20 + i for i in range(METHODS)]
    assert box.m1999() == 10 + 1999
    assert many.Box.m5(box, x=3) == 35
    assert str(inspect.signature(many.Box.m7)) == "(self, /, x=1)"

    assert many.wide(1, 2, 3, 4, 5, 6, 7, 8) == "55 eleven"
    assert many.wide(1, 2, 3, 4, 5, 6, 7, 8, 0, 0, k="k") == "36 k"

    # swiftpy.zlib, from another shared object, is unaffected.
    assert swiftpy.zlib.decompress(swiftpy.zlib.compress(b"abc" * 100)) == b"abc" * 100


@needs_build
def test_declaration_error_is_reported_and_breaks_no_other_module(shared_object):
    with pytest.raises(SystemError) as error:
        load("brokenmodule", shared_object)
    message = str(error.value)
    assert "brokenmodule" in message and "bad()" in message and "'level'" in message
    assert "String" in message and "Int" in message, message
    assert "fine()" not in message  # only the faulty declaration is named
    # The same shared object's other modules still import and work, after the failure.
    fine = load("finemodule", shared_object)
    assert fine.twice(21) == 42
    many = load("manybuiltins", shared_object)
    assert many.f1(1) == 2
    # And the broken module fails the same way again (it does not crash on a retry).
    with pytest.raises(SystemError, match="'level'"):
        load("brokenmodule", shared_object)

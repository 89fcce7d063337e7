"""CPython's own zlib test suite, run against swiftpy.zlib.

The running interpreter's `test.test_zlib` (and, where it exists,
`test.test_free_threading.test_zlib`) is imported and its module-level `zlib` is swapped
for `swiftpy.zlib`; pytest then collects its `unittest.TestCase` classes from here. Each
CPython version's tests differ, so each interpreter checks the behaviour of its own
stdlib. Nothing is copied into this repository.

Interpreters that ship without their test package (Debian splits it into
`libpythonX.Y-testsuite`) skip this module, unless SWIFTPY_CPYTHON_TESTS names a folder
holding that version's `test_zlib.py` (e.g. extracted from the Debian package), which is
then loaded as `test.test_zlib`.
"""
import importlib
import importlib.util
import os
import sys
import unittest

import pytest

import swiftpy.zlib


def _load(name):
    """The module `name` of the interpreter's test package, or None when absent."""
    folder = os.environ.get("SWIFTPY_CPYTHON_TESTS")
    if folder:
        path = os.path.join(folder, *name.split(".")[1:]) + ".py"
        if not os.path.exists(path):
            return None
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # the free-threading tests import it by this name
        try:
            spec.loader.exec_module(module)
        except unittest.SkipTest:
            return None
        return module
    try:
        return importlib.import_module(name)
    except (ImportError, unittest.SkipTest):  # test_free_threading skips itself with the GIL on
        return None


_main = _load("test.test_zlib")
if _main is None:
    pytest.skip(f"Python {sys.version.split()[0]} ships no test.test_zlib (set SWIFTPY_CPYTHON_TESTS)",
                allow_module_level=True)
_modules = [_main]
if sys.version_info >= (3, 13):
    _free_threading = _load("test.test_free_threading.test_zlib")
    if _free_threading is not None:
        _modules.append(_free_threading)

for _module in _modules:
    # The tests look `zlib` up in their module's globals at call time.
    assert _module.zlib.__name__ == "zlib"
    _module.zlib = swiftpy.zlib
    for _name, _obj in vars(_module).items():
        if isinstance(_obj, type) and issubclass(_obj, unittest.TestCase) and _obj.__module__ == _module.__name__:
            globals()[f"{_name}" if _module is _main else f"FreeThreading{_name}"] = _obj


def test_suite_runs_against_swiftpy_zlib():
    """The swap took: the collected tests call swiftpy.zlib, not the stdlib."""
    assert all(m.zlib is swiftpy.zlib for m in _modules)
    assert swiftpy.zlib is not sys.modules["zlib"]

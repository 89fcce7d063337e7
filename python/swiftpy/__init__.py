"""SwiftPy: CPython builtins written in Swift that release the GIL around native code.

Submodules:

* ``swiftpy.zlib`` — a drop-in for the standard ``zlib`` module whose work runs with the
  GIL released, plus ``parallel_compress``.
* ``swiftpy.blas`` — BLAS over the buffer protocol, GIL-free.
* ``swiftpy.demo`` — small builtins that show (and test) the Swift extension API.
* ``python -m swiftpy.bench`` — native-workload benchmarks.
* ``python -m swiftpy new NAME`` — a new project with Swift builtins of your own;
  ``python -m swiftpy --package-path`` — SwiftPy's Swift package, shipped in this package;
  ``python -m swiftpy develop`` — rebuild a project's extensions in place.

The distribution is ``swiftpy-builtins`` (``pip install swiftpy-builtins``).

All native modules live in one shared object, ``swiftpy/_native<EXT_SUFFIX>``, which
exports one ``PyInit_<name>`` per module; the finder below loads each submodule from it
with the standard extension loader (multi-phase init, one module object per interpreter).
"""
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys

__version__ = "0.2.0"
__all__ = ["NATIVE_MODULES", "native_library_path"]

#: Submodules implemented in Swift, each exported as ``PyInit_<name>`` by ``_native``.
NATIVE_MODULES = ("demo", "zlib", "blas")


def native_library_path():
    """Path of the shared object holding the Swift modules, or None if not built."""
    here = os.path.dirname(os.path.abspath(__file__))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = os.path.join(here, "_native" + suffix)
        if os.path.exists(candidate):
            return candidate
    return None


class _NativeModuleFinder(importlib.abc.MetaPathFinder):
    """Finds ``swiftpy.<name>`` for the names in NATIVE_MODULES inside ``_native``."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package != __name__ or name not in NATIVE_MODULES:
            return None
        if fullname in sys.builtin_module_names:
            return None  # compiled into an embedding program (swiftpy-bench, swiftpy-python)
        location = native_library_path()
        if location is None:
            raise ImportError(
                f"{fullname} is implemented in Swift, but swiftpy/_native is not built; "
                "install with `python3 -m pip install .`",
                name=fullname,
            )
        loader = _NativeLoader(fullname, location)
        return importlib.util.spec_from_file_location(fullname, location, loader=loader)


#: How long (log2 of CPU cycles) OpenBLAS's idle worker threads spin before they sleep,
#: unless the user set it: 2**21 cycles, under a millisecond here, instead of OpenBLAS's
#: 2**28 (~0.1 s). Long enough for one caller's back-to-back products to find the workers
#: awake; short enough that when concurrent callers switch to one thread each (the thread
#: budget, swiftpy.blas), the idle workers stop taking cores from them within a product or
#: two. With the default, two callers of n=256 dgemm reached 64 GFLOP/s after one caller's
#: run (the workers spinning beside them) against 95 with this setting.
_OPENBLAS_THREAD_TIMEOUT = "21"


class _NativeLoader(importlib.machinery.ExtensionFileLoader):
    """Loads ``_native``. While it is first loaded, OPENBLAS_THREAD_TIMEOUT is set (unless
    the user set it), for the copy of OpenBLAS that loads with it: OpenBLAS reads it once,
    at load. The environment is restored right after, so child processes and libraries
    loaded later never see it. No effect when the process already has that OpenBLAS
    loaded (e.g. Debian's numpy, imported first, loads the same libopenblas.so.0)."""

    _timeout_set = False

    def create_module(self, spec):
        cls = _NativeLoader
        if cls._timeout_set or "OPENBLAS_THREAD_TIMEOUT" in os.environ:
            return super().create_module(spec)
        cls._timeout_set = True
        os.environ["OPENBLAS_THREAD_TIMEOUT"] = _OPENBLAS_THREAD_TIMEOUT
        try:
            return super().create_module(spec)
        finally:
            os.environ.pop("OPENBLAS_THREAD_TIMEOUT", None)


if not any(isinstance(finder, _NativeModuleFinder) for finder in sys.meta_path):
    sys.meta_path.insert(0, _NativeModuleFinder())

"""Builds the Swift extension with SwiftPM for the interpreter running this build.

`python3 -m pip install .` runs this: it asks SwiftPM to build the `SwiftPyNative`
product against THIS interpreter's headers (PKG_CONFIG_PATH from its sysconfig, never a
hard-coded path), links the Swift runtime statically so the result runs without a Swift
toolchain, and installs it as `swiftpy/_native<EXT_SUFFIX>`. The `swiftpy` package maps
`swiftpy.demo`, `swiftpy.zlib` and `swiftpy.blas` to that one shared object.

SwiftPy's Swift package itself (Package.swift, Sources/, CModules/) ships inside the
wheel as `swiftpy/swift/SwiftPy/`, the way nanobind ships its sources: a project that
depends on SwiftPy builds against that copy (`python -m swiftpy --package-path`), with no
clone, tag or URL. The folder is named `SwiftPy` because SwiftPM names a path dependency
after its folder.

The build step is `swiftpy.build` — the same helper third-party projects use for their
own Swift extensions (Examples/). It is imported here by path: the package is not
installed while it builds itself.
"""
import importlib.util
import os

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py

ROOT = os.path.dirname(os.path.abspath(__file__))


def load_build_helper():
    path = os.path.join(ROOT, "python", "swiftpy", "build.py")
    spec = importlib.util.spec_from_file_location("_swiftpy_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


swiftpy_build = load_build_helper()


class build_py(_build_py):
    """Also copies SwiftPy's Swift package into the built package (not for an editable
    install: there `package_path()` is the source tree itself)."""

    def run(self):
        super().run()
        if not getattr(self, "editable_mode", False):
            swiftpy_build.sync_package(ROOT, os.path.join(self.build_lib, "swiftpy", "swift", swiftpy_build.PACKAGE_FOLDER))


setup(
    ext_modules=[swiftpy_build.SwiftExtension("swiftpy._native", product="SwiftPyNative", package_dir=ROOT)],
    cmdclass={"build_ext": swiftpy_build.build_ext, "build_py": build_py},
)

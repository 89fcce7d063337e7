"""Builds the Swift extension with SwiftPM for the interpreter running this build.

`python3 -m pip install .` runs this: it asks SwiftPM to build the `SwiftPyNative`
product against THIS interpreter's headers (PKG_CONFIG_PATH from its sysconfig, never a
hard-coded path), links the Swift runtime statically so the result runs without a Swift
toolchain, and installs it as `swiftpy/_native<EXT_SUFFIX>`. The `swiftpy` package maps
`swiftpy.demo`, `swiftpy.zlib` and `swiftpy.blas` to that one shared object.

The build step is `swiftpy.build` — the same helper third-party projects use for their
own Swift extensions (Examples/). It is imported here by path: the package is not
installed while it builds itself.
"""
import importlib.util
import os

from setuptools import setup

ROOT = os.path.dirname(os.path.abspath(__file__))


def load_build_helper():
    path = os.path.join(ROOT, "python", "swiftpy", "build.py")
    spec = importlib.util.spec_from_file_location("_swiftpy_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


swiftpy_build = load_build_helper()

setup(
    ext_modules=[swiftpy_build.SwiftExtension("swiftpy._native", product="SwiftPyNative", package_dir=ROOT)],
    cmdclass={"build_ext": swiftpy_build.build_ext},
)

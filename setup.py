"""Builds the Swift extension with SwiftPM for the interpreter running this build.

`python3 -m pip install .` runs this: it asks SwiftPM to build the `SwiftPyNative`
product against THIS interpreter's headers (PKG_CONFIG_PATH from its sysconfig, never a
hard-coded path), links the Swift runtime statically so the result runs without a Swift
toolchain, and installs it as `swiftpy/_native<EXT_SUFFIX>`. The `swiftpy` package maps
`swiftpy.demo`, `swiftpy.zlib` and `swiftpy.blas` to that one shared object.
"""
import os
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def swiftpm_environment():
    env = os.environ.copy()
    libpc = sysconfig.get_config_var("LIBPC") or ""
    env["PKG_CONFIG_PATH"] = os.pathsep.join(p for p in (libpc, env.get("PKG_CONFIG_PATH", "")) if p)
    env["SWIFTPY_PYTHON"] = sys.executable
    return env


class SwiftBuildExt(build_ext):
    """Replaces the C compiler step with `swift build` of one SwiftPM product."""

    def build_extension(self, ext):
        if shutil.which("swift") is None:
            raise RuntimeError("swiftpy needs a Swift 6 toolchain (`swift` on PATH) to build from source")
        tag = sys.implementation.cache_tag  # e.g. cpython-311: one build folder per interpreter
        scratch = os.path.join(ROOT, f".build-{tag}")
        command = [
            "swift", "build", "-c", "release", "--product", ext.swift_product,
            "--scratch-path", scratch, "-Xswiftc", "-static-stdlib",
        ]
        env = swiftpm_environment()
        subprocess.check_call(command, cwd=ROOT, env=env)
        bin_path = subprocess.check_output(command + ["--show-bin-path"], cwd=ROOT, env=env, text=True).strip()
        built = os.path.join(bin_path, f"lib{ext.swift_product}.so")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built, target)


class SwiftExtension(Extension):
    def __init__(self, name, swift_product):
        super().__init__(name, sources=[])
        self.swift_product = swift_product


setup(
    ext_modules=[SwiftExtension("swiftpy._native", "SwiftPyNative")],
    cmdclass={"build_ext": SwiftBuildExt},
)

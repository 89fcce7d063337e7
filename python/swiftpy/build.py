"""Build a SwiftPM product into a Python extension module, from a setuptools ``setup.py``.

In the spirit of setuptools-rust and maturin: a project whose native code is a SwiftPM
package (depending on SwiftPy) declares its extension modules as ``SwiftExtension``s and
lets this ``build_ext`` run ``swift build`` instead of a C compiler::

    # setup.py
    from setuptools import setup
    from swiftpy.build import SwiftExtension, build_ext

    setup(
        ext_modules=[SwiftExtension("mypkg._native", product="MyNative", package_dir=".")],
        cmdclass={"build_ext": build_ext},
    )

For each extension it

1. points ``PKG_CONFIG_PATH`` at the BUILDING interpreter's ``sysconfig`` ``LIBPC``, so
   SwiftPM's ``pkg-config python3`` finds that interpreter's headers (never the
   distribution's, never a hard-coded path), and sets ``SWIFTPY_PYTHON`` to it;
2. runs ``swift build -c release --product P --scratch-path <package>/.build-<cache_tag>
   -Xswiftc -static-stdlib`` (one build folder per interpreter, Swift runtime linked in,
   so the installed module runs without a Swift toolchain);
3. copies ``lib<P>.so`` to the extension's path (``<name><EXT_SUFFIX>``).

The product must be a ``.dynamic`` library whose target exports ``PyInit_<last part of
name>`` (``@c(PyInit__native)`` for ``mypkg._native``).

SwiftPy's own ``setup.py`` imports this file by path (the package is not installed while
it builds itself), so this module must only depend on the standard library and setuptools.
"""
import os
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension
from setuptools.command.build_ext import build_ext as _setuptools_build_ext

__all__ = ["SwiftExtension", "build_ext", "swiftpm_environment", "swift_build"]


def swiftpm_environment(base=None):
    """The environment for ``swift build``: PKG_CONFIG_PATH from this interpreter's
    sysconfig (``LIBPC``) first, and SWIFTPY_PYTHON set to it (SwiftPy's manifest asks
    it for LIBDIR)."""
    env = dict(os.environ if base is None else base)
    libpc = sysconfig.get_config_var("LIBPC") or ""
    env["PKG_CONFIG_PATH"] = os.pathsep.join(p for p in (libpc, env.get("PKG_CONFIG_PATH", "")) if p)
    env["SWIFTPY_PYTHON"] = sys.executable
    return env


def swift_build(package_dir, product, *, configuration="release", scratch_path=None,
                static_stdlib=True, swift_flags=(), swift=None, verbose=True):
    """Builds one SwiftPM product for this interpreter; returns the path of ``lib<product>.so``."""
    swift = swift or os.environ.get("SWIFTPY_SWIFT") or shutil.which("swift")
    if not swift:
        raise RuntimeError("building a Swift extension needs a Swift 6 toolchain (`swift` on PATH, or $SWIFTPY_SWIFT)")
    package_dir = os.path.abspath(package_dir)
    if not os.path.exists(os.path.join(package_dir, "Package.swift")):
        raise RuntimeError(f"no Package.swift in {package_dir}")
    if scratch_path is None:
        # One build folder per interpreter (cpython-311, cpython-312, ...): headers differ.
        scratch_path = os.path.join(package_dir, f".build-{sys.implementation.cache_tag}")
    command = [swift, "build", "-c", configuration, "--product", product, "--scratch-path", scratch_path]
    if static_stdlib:
        # `--static-swift-stdlib` is ignored for .dynamic products; this flag is not.
        command += ["-Xswiftc", "-static-stdlib"]
    command += list(swift_flags)
    env = swiftpm_environment()
    if verbose:
        print(" ".join(command), f"(in {package_dir})", file=sys.stderr, flush=True)
    subprocess.check_call(command, cwd=package_dir, env=env)
    bin_path = subprocess.check_output(command + ["--show-bin-path"], cwd=package_dir, env=env, text=True)
    built = os.path.join(bin_path.strip().splitlines()[-1], f"lib{product}.so")
    if not os.path.exists(built):
        raise RuntimeError(f"swift build succeeded but {built} is missing: is {product!r} a .dynamic library product?")
    return built


class SwiftExtension(Extension):
    """An extension module built from a SwiftPM ``.dynamic`` library product.

    - ``name``: the module's full import name (``"mypkg._native"``).
    - ``product``: the SwiftPM product to build (``"MyNative"``).
    - ``package_dir``: the folder holding ``Package.swift``, relative to the
      ``setup.py`` folder (the working directory while setuptools runs) or absolute.
    - ``configuration``: ``"release"`` (default) or ``"debug"``.
    - ``static_stdlib``: link the Swift runtime into the module (default True).
    - ``swift_flags``: extra arguments for ``swift build``
      (e.g. ``["-Xswiftc", "-enforce-exclusivity=unchecked"]``).
    - ``scratch_path``: the build folder (default ``<package_dir>/.build-<cache_tag>``).
    """

    def __init__(self, name, product, package_dir=".", *, configuration="release", static_stdlib=True,
                 swift_flags=(), scratch_path=None, **kwargs):
        super().__init__(name, sources=[], **kwargs)
        self.product = product
        self.package_dir = os.path.abspath(package_dir)
        self.configuration = configuration
        self.static_stdlib = static_stdlib
        self.swift_flags = list(swift_flags)
        self.scratch_path = scratch_path


class build_ext(_setuptools_build_ext):
    """setuptools' ``build_ext`` that builds ``SwiftExtension``s with ``swift build``
    (and any other extension as usual)."""

    def build_extension(self, ext):
        if not isinstance(ext, SwiftExtension):
            return super().build_extension(ext)
        built = swift_build(
            ext.package_dir, ext.product, configuration=ext.configuration, scratch_path=ext.scratch_path,
            static_stdlib=ext.static_stdlib, swift_flags=ext.swift_flags)
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        shutil.copyfile(built, target)
        return None

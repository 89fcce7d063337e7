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

1. makes SwiftPy's own Swift package available to the project's ``Package.swift``: the
   copy shipped inside the installed ``swiftpy`` package (``package_path()``, printed by
   ``python -m swiftpy --package-path``) is synced into ``<scratch>/swiftpy-package/SwiftPy``
   (a stable path, so rebuilds stay incremental even from pip's throw-away isolated build
   environments) and ``SWIFTPY_PACKAGE_PATH`` points there, unless already set;
2. writes ``python3.pc``/``python3-embed.pc`` generated from the BUILDING interpreter's
   ``sysconfig`` into the build folder and puts them first on ``PKG_CONFIG_PATH``, so
   SwiftPM's ``pkg-config python3`` finds that interpreter's headers (never a folder's
   ``python3.pc``, which on Debian/Ubuntu is the distribution's default Python, never a
   hard-coded path); a build folder made for other headers is deleted and rebuilt; sets
   ``SWIFTPY_PYTHON`` to the interpreter;
3. runs ``swift build -c release --product P --scratch-path <package>/.build-<cache_tag>
   -Xswiftc -static-stdlib --experimental-lto-mode=full`` (one build folder per
   interpreter, Swift runtime linked in, so the installed module runs without a Swift
   toolchain; link-time optimisation, see ``swift_build``), capturing its output: a failed
   build raises ``SwiftBuildError`` whose message is the compiler's ``error:`` lines with
   their context, once each (the whole log stays in ``<scratch>/swiftpy-build.log``;
   ``SWIFTPY_BUILD_VERBOSE=1`` streams it);
4. copies ``lib<P>.so`` to the extension's path (``<name><EXT_SUFFIX>``).

The product must be a ``.dynamic`` library whose target exports ``PyInit_<last part of
name>`` (``@c(PyInit__native)`` for ``mypkg._native``).

SwiftPy's own ``setup.py`` imports this file by path (the package is not installed while
it builds itself), so this module must only depend on the standard library and setuptools.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension
try:
    from setuptools.errors import CompileError
except ImportError:  # setuptools < 59
    from distutils.errors import CompileError
from setuptools.command.build_ext import build_ext as _setuptools_build_ext

__all__ = ["SwiftExtension", "build_ext", "swiftpm_environment", "swift_build", "lto_default", "python_build_config",
           "write_pkgconfig", "prepare_scratch", "package_path", "sync_package", "SwiftBuildError",
           "compiler_errors"]

#: The folder name of the shipped Swift package. SwiftPM names a path dependency after
#: its folder (the package *identity*), so this is what ``.product(name: "SwiftPy",
#: package: "SwiftPy")`` refers to; a git URL ending in ``SwiftPy.git`` has the same one.
PACKAGE_FOLDER = "SwiftPy"

#: What a dependent SwiftPM package needs of SwiftPy's source tree.
PACKAGE_CONTENTS = ("Package.swift", "Sources", "CModules")


def package_path():
    """The folder holding SwiftPy's Swift package (``Package.swift``, ``Sources/``,
    ``CModules/``) for the installed ``swiftpy``: ``swiftpy/swift/SwiftPy`` inside an
    installed wheel, or the repository root for a source checkout (editable install)."""
    here = os.path.dirname(os.path.abspath(__file__))
    shipped = os.path.join(here, "swift", PACKAGE_FOLDER)
    if os.path.exists(os.path.join(shipped, "Package.swift")):
        return shipped
    checkout = os.path.dirname(os.path.dirname(here))  # <repo>/python/swiftpy -> <repo>
    if os.path.exists(os.path.join(checkout, "Package.swift")) and os.path.isdir(os.path.join(checkout, "Sources", "SwiftPy")):
        return checkout
    raise RuntimeError(f"SwiftPy's Swift package is missing from {here} (a broken install of swiftpy-builtins?)")


def _package_files(source):
    for entry in PACKAGE_CONTENTS:
        top = os.path.join(source, entry)
        if os.path.isfile(top):
            yield entry
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith("."):
                    yield os.path.relpath(os.path.join(folder, name), source)


def sync_package(source, destination):
    """Makes ``destination`` hold the same SwiftPy package files as ``source``, rewriting
    only files whose bytes differ (unchanged files keep their times, so SwiftPM does not
    recompile them) and deleting files ``source`` does not have; returns destination."""
    wanted = set(_package_files(source))
    for relative in sorted(wanted):
        src, dst = os.path.join(source, relative), os.path.join(destination, relative)
        with open(src, "rb") as f:
            data = f.read()
        try:
            with open(dst, "rb") as f:
                if f.read() == data:
                    continue
        except OSError:
            pass
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
    if os.path.isdir(destination):
        for folder, _, files in os.walk(destination, topdown=False):
            for name in files:
                path = os.path.join(folder, name)
                if os.path.relpath(path, destination) not in wanted:
                    os.remove(path)
            if folder != destination and not os.listdir(folder):
                os.rmdir(folder)
    return destination



def python_build_config():
    """What a build for THIS interpreter depends on, read from its own ``sysconfig``.

    Never from a ``python3.pc`` found in some folder: in Debian/Ubuntu layouts ``LIBPC``
    is the distribution's pkg-config folder, whose ``python3.pc`` is the DEFAULT Python
    (3.11 on Debian 12), not a 3.14 that runs the build. Venvs report their base
    interpreter's values, which is what a build needs.
    """
    paths = sysconfig.get_paths()
    includes = []
    for folder in (paths.get("include"), paths.get("platinclude")):
        if folder and folder not in includes:
            includes.append(folder)
    # Debian/Ubuntu keep the real pyconfig.h in /usr/include/<multiarch>/pythonX.Y.
    multiarch = sysconfig.get_config_var("MULTIARCH")
    if multiarch and includes:
        candidate = os.path.join(os.path.dirname(includes[0]), multiarch, os.path.basename(includes[0]))
        if os.path.isdir(candidate) and candidate not in includes:
            includes.append(candidate)
    ldversion = sysconfig.get_config_var("LDVERSION") or "{}.{}".format(*sys.version_info[:2])
    return {
        "version": "{}.{}.{}".format(*sys.version_info[:3]),
        "hexversion": sys.hexversion,
        "implementation": sys.implementation.name,
        "soabi": sysconfig.get_config_var("SOABI") or "",
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or "",
        "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "include_dirs": includes,
        "libdir": sysconfig.get_config_var("LIBDIR") or "",
        "ldversion": ldversion,
        "executable": sys.executable,
    }


def _pkgconfig_text(description, config, libs):
    cflags = " ".join("-I" + folder for folder in config["include_dirs"])
    return (f"# Written by swiftpy.build from the sysconfig of CPython {config['version']}.\n"
            f"Name: Python\nDescription: {description}\nVersion: {config['version']}\n"
            f"Libs: {libs}\nCflags: {cflags}\n")


def write_pkgconfig(folder, config=None):
    """Writes ``python3.pc`` and ``python3-embed.pc`` for this interpreter into ``folder``
    (the names SwiftPy's CPython/CPythonEmbed targets ask pkg-config for); returns folder."""
    config = config or python_build_config()
    os.makedirs(folder, exist_ok=True)
    embed_libs = f"-L{config['libdir']} -lpython{config['ldversion']}" if config["libdir"] else f"-lpython{config['ldversion']}"
    for name, description, libs in (("python3", "Build a C extension for Python", ""),
                                    ("python3-embed", "Embed Python into an application", embed_libs)):
        path = os.path.join(folder, name + ".pc")
        text = _pkgconfig_text(description, config, libs)
        try:
            with open(path) as existing:
                if existing.read() == text:
                    continue
        except OSError:
            pass
        with open(path, "w") as out:
            out.write(text)
    return folder


STAMP = "swiftpy-python.json"


def prepare_scratch(scratch_path, config=None):
    """Makes ``scratch_path`` a build folder for THIS interpreter's headers.

    A folder built for other headers (another CPython, or the same version from another
    install: pyenv's 3.14 and Debian's share the tag ``cpython-314``) is deleted first,
    never reused: Swift modules compiled against one CPython's headers are not valid for
    another. Writes the pkg-config files into ``<scratch>/swiftpy-pkgconfig``; returns
    that folder."""
    import json
    config = config or python_build_config()
    identity = {key: config[key] for key in ("version", "soabi", "gil_disabled", "include_dirs", "libdir", "ldversion")}
    stamp = os.path.join(scratch_path, STAMP)
    if os.path.isdir(scratch_path):
        try:
            with open(stamp) as f:
                previous = json.load(f)
        except (OSError, ValueError):
            previous = None
        if previous != identity and os.listdir(scratch_path):
            print(f"swiftpy.build: {scratch_path} was built for other Python headers "
                  f"({(previous or {}).get('version', 'unknown')}); rebuilding it for {config['version']}",
                  file=sys.stderr, flush=True)
            shutil.rmtree(scratch_path)
    os.makedirs(scratch_path, exist_ok=True)
    with open(stamp, "w") as f:
        json.dump(identity, f, indent=1)
    return write_pkgconfig(os.path.join(scratch_path, "swiftpy-pkgconfig"), config)


def swiftpm_environment(base=None, scratch_path=None, package_dir=None):
    """The environment for ``swift build``: PKG_CONFIG_PATH starting with pkg-config
    files generated from this interpreter's sysconfig (in ``scratch_path``, prepared by
    ``prepare_scratch``), SWIFTPY_PYTHON set to it (SwiftPy's manifest asks it for
    LIBDIR, for the rpath of programs that embed it), and SWIFTPY_PACKAGE_PATH (unless
    set) to a copy of SwiftPy's Swift package in the build folder, for a dependent
    ``Package.swift`` (not when ``package_dir`` is SwiftPy itself)."""
    env = dict(os.environ if base is None else base)
    if scratch_path is None:
        scratch_path = default_scratch_path(os.getcwd())
    pkgconfig = prepare_scratch(scratch_path)
    env["PKG_CONFIG_PATH"] = os.pathsep.join(p for p in (pkgconfig, env.get("PKG_CONFIG_PATH", "")) if p)
    env["SWIFTPY_PYTHON"] = sys.executable
    if not env.get("SWIFTPY_PACKAGE_PATH"):
        source = package_path()
        if package_dir is None or os.path.realpath(package_dir) != os.path.realpath(source):
            env["SWIFTPY_PACKAGE_PATH"] = sync_package(
                source, os.path.join(scratch_path, "swiftpy-package", PACKAGE_FOLDER))
    return env


def default_scratch_path(package_dir):
    """One build folder per interpreter tag (``.build-cpython-314``): headers differ."""
    return os.path.join(os.path.abspath(package_dir), f".build-{sys.implementation.cache_tag}")


class SwiftBuildError(CompileError):
    """``swift build`` failed. The message holds the compiler's errors only (each once,
    with its source context); setuptools prints it as ``error: ...`` at the end of the
    build output, without a traceback."""


#: A compiler diagnostic's first line: ``/path/File.swift:12:5: error: message``, or
#: SwiftPM's own ``error: message``.
_DIAGNOSTIC = re.compile(r"^(?:\S.*?:\d+(?::\d+)?: |)(error|warning|note|remark): ")
#: Lines that only repeat that something above failed.
_NOISE = re.compile(r"(command failed with exit code|fatalError$|^error: (emit-module|compile|link) command failed)")


def compiler_errors(output, kind="error", limit=20):
    """The ``kind`` diagnostics (``error`` or ``warning``) in ``swift build`` output, each
    with the lines that follow it (the source excerpt and caret, and its notes), each
    distinct diagnostic once, at most ``limit`` (None: all); an empty list if there are none."""
    lines = output.splitlines()
    blocks, seen, i = [], set(), 0
    while i < len(lines):
        match = _DIAGNOSTIC.match(lines[i])
        if not match or match.group(1) != kind or _NOISE.search(lines[i]):
            i += 1
            continue
        block, i = [lines[i]], i + 1
        while i < len(lines):
            line = lines[i]
            follow = _DIAGNOSTIC.match(line)
            if follow and follow.group(1) != "note":
                break
            if not line.strip() or line.startswith("[") or line.startswith("Building ") or line.startswith("Compiling "):
                break
            block.append(line)
            i += 1
        if block[0].strip() not in seen:
            seen.add(block[0].strip())
            blocks.append("\n".join(block))
    return blocks[:limit]


def _built_library(scratch_path, configuration, product, command, package_dir, env):
    """``lib<product>.so`` in the build folder (``<scratch>/<configuration>`` is SwiftPM's
    link to the triple's folder; ``--show-bin-path`` when it is not there)."""
    bin_path = os.path.join(scratch_path, configuration)
    if not os.path.isdir(bin_path):
        out = subprocess.check_output(command + ["--show-bin-path"], cwd=package_dir, env=env, text=True)
        bin_path = out.strip().splitlines()[-1]
    return os.path.join(bin_path, f"lib{product}.so")


def lto_default():
    """Whether release builds use link-time optimisation when not told: yes, unless
    ``SWIFTPY_LTO`` is ``0``/``false``/``no``/``off`` (``python -m swiftpy develop`` sets it
    to ``0``: there a one-line change must relink in seconds, not redo the whole LTO link)."""
    return os.environ.get("SWIFTPY_LTO", "1").strip().lower() not in ("0", "false", "no", "off")


def swift_build(package_dir, product, *, configuration="release", scratch_path=None,
                static_stdlib=True, lto=None, swift_flags=(), swift=None, verbose=True):
    """Builds one SwiftPM product for this interpreter; returns the path of ``lib<product>.so``.

    ``lto`` (release builds only; ``None``: ``lto_default()``, i.e. on unless
    ``SWIFTPY_LTO=0``): whole-product link-time optimisation. A builtin's
    wrapper is specialised in the module that declares it, but its argument conversions
    are protocol conformances of SwiftPy's module (``Int: FromPython``, ...); without LTO
    each one stays an indirect call through a witness table that only the linker can see.
    Measured with callgrind on ``swiftpy.demo``: ``add(1, 2)`` 843 -> 771 instructions per
    Python loop iteration (the C builtin: 630), ``noop()`` 537 -> 518 (C: 421); the clean
    build of ``_native`` takes ~50 s instead of ~35 s, and every rebuild relinks the whole
    product. The Swift driver links LTO builds with ``lld`` (Swift's toolchains for Linux
    ship it); where it is missing, ``SWIFTPY_LTO=0`` builds without.

    The output of ``swift build`` is captured into ``<scratch>/swiftpy-build.log`` (and
    streamed to stderr with ``SWIFTPY_BUILD_VERBOSE=1``). A failed build raises
    ``SwiftBuildError`` with the compiler's errors; the warnings of a successful build are
    printed to stderr, each once."""
    swift = swift or os.environ.get("SWIFTPY_SWIFT") or shutil.which("swift")
    if not swift:
        raise SwiftBuildError("building a Swift extension needs a Swift 6 toolchain (`swift` on PATH, or $SWIFTPY_SWIFT)")
    package_dir = os.path.abspath(package_dir)
    if not os.path.exists(os.path.join(package_dir, "Package.swift")):
        raise SwiftBuildError(f"no Package.swift in {package_dir}")
    scratch_path = os.path.join(package_dir, scratch_path) if scratch_path else default_scratch_path(package_dir)
    command = [swift, "build", "-c", configuration, "--product", product, "--scratch-path", scratch_path]
    if static_stdlib:
        # `--static-swift-stdlib` is ignored for .dynamic products; this flag is not.
        command += ["-Xswiftc", "-static-stdlib"]
    if lto is None:
        lto = lto_default()
    if lto and configuration == "release":
        command += ["--experimental-lto-mode=full"]
    command += list(swift_flags)
    # Extra flags for every build this helper runs, e.g. SwiftPy's own Scripts/test sets
    # `-Xswiftc -warnings-as-errors` so that a new warning fails CI (a package must not
    # put that flag in its Package.swift: it would break builds of its dependents).
    command += shlex.split(os.environ.get("SWIFTPY_SWIFT_FLAGS", ""))
    env = swiftpm_environment(scratch_path=scratch_path, package_dir=package_dir)
    stream = os.environ.get("SWIFTPY_BUILD_VERBOSE", "") not in ("", "0")
    if verbose:
        print(" ".join(command), f"(in {package_dir})", file=sys.stderr, flush=True)
    log_path = os.path.join(scratch_path, "swiftpy-build.log")
    output = []
    with subprocess.Popen(command, cwd=package_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as process:
        for line in process.stdout:
            output.append(line)
            if stream:
                sys.stderr.write(line)
    text = "".join(output)
    with open(log_path, "w") as log:
        log.write(text)
    if process.returncode != 0:
        errors = compiler_errors(text) or [line.rstrip() for line in output[-30:]]
        raise SwiftBuildError(
            f"swift build of {product} failed (in {package_dir}):\n\n" + "\n\n".join(errors)
            + f"\n\n(the whole build log: {log_path})")
    # The project's own warnings are shown; those of SwiftPy's copy in the build folder
    # (a dependency the project does not edit) are only counted.
    warnings = compiler_errors(text, kind="warning", limit=None)
    own = [warning for warning in warnings if not warning.startswith(scratch_path + os.sep)]
    if own:
        print("\n\n".join(own[:20]), file=sys.stderr, flush=True)
    if len(warnings) > len(own):
        print(f"swiftpy.build: {len(warnings) - len(own)} warnings in dependencies not shown (see {log_path})",
              file=sys.stderr, flush=True)
    built = _built_library(scratch_path, configuration, product, command, package_dir, env)
    if not os.path.exists(built):
        raise SwiftBuildError(f"swift build succeeded but {built} is missing: is {product!r} a .dynamic library product?")
    return built


class SwiftExtension(Extension):
    """An extension module built from a SwiftPM ``.dynamic`` library product.

    - ``name``: the module's full import name (``"mypkg._native"``).
    - ``product``: the SwiftPM product to build (``"MyNative"``).
    - ``package_dir``: the folder holding ``Package.swift``, relative to the
      ``setup.py`` folder (the working directory while setuptools runs) or absolute.
    - ``configuration``: ``"release"`` (default) or ``"debug"``.
    - ``static_stdlib``: link the Swift runtime into the module (default True).
    - ``lto``: link-time optimisation of release builds (default: on unless
      ``SWIFTPY_LTO=0``; see ``swift_build``).
    - ``swift_flags``: extra arguments for ``swift build``
      (e.g. ``["-Xswiftc", "-enforce-exclusivity=unchecked"]``).
    - ``scratch_path``: the build folder (default ``<package_dir>/.build-<cache_tag>``).
    """

    def __init__(self, name, product, package_dir=".", *, configuration="release", static_stdlib=True,
                 lto=None, swift_flags=(), scratch_path=None, **kwargs):
        super().__init__(name, sources=[], **kwargs)
        self.product = product
        self.package_dir = os.path.abspath(package_dir)
        self.configuration = configuration
        self.static_stdlib = static_stdlib
        self.lto = lto
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
            static_stdlib=ext.static_stdlib, lto=ext.lto, swift_flags=ext.swift_flags)
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        shutil.copyfile(built, target)
        return None


def _main(argv):
    """``python build.py env SCRATCH``: prints shell ``export`` lines for a ``swift``
    command run by hand for this interpreter (Scripts/swiftpm uses it)."""
    import shlex
    if len(argv) != 2 or argv[0] != "env":
        print("usage: python -m swiftpy.build env SCRATCH_PATH", file=sys.stderr)
        return 2
    env = swiftpm_environment(scratch_path=os.path.abspath(argv[1]), package_dir=os.getcwd())
    for key in ("PKG_CONFIG_PATH", "SWIFTPY_PYTHON", "SWIFTPY_PACKAGE_PATH"):
        if key not in env:
            continue
        print(f"export {key}={shlex.quote(env[key])}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))

"""Where the tests that need SwiftPM's debug build (compile-fail snippets, the README
example, the embedded interpreter) find it, and whether it fits THIS interpreter.

The build is `ROOT/.build` (what `Scripts/swiftpm build` makes), or the scratch folder
named by $SWIFTPY_SWIFT_BUILD. Swift modules compiled against another CPython's headers
cannot be reused (swiftc rejects or crashes on them), so a build made for another
interpreter counts as absent: the version matrix (Scripts/test-versions) runs pytest on
several interpreters against one build.
"""
import os
import pathlib
import sysconfig

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRATCH = pathlib.Path(os.environ.get("SWIFTPY_SWIFT_BUILD") or ROOT / ".build")
DEBUG = SCRATCH / "debug"


def _built_for_this_interpreter():
    try:
        plan = (SCRATCH / "debug.yaml").read_text(errors="replace")
    except OSError:
        return False
    return '"-I' + sysconfig.get_paths()["include"] + '"' in plan


#: Whether DEBUG holds a build of SwiftPy made with this interpreter's headers.
MATCHES = _built_for_this_interpreter()

REASON = (
    f"needs swiftc and a debug build of SwiftPy for this interpreter in {SCRATCH} "
    "(SWIFTPY_PYTHON=<this python> Scripts/swiftpm build)"
)


def library_objects():
    """The object files of the SwiftPy library in the debug build (the Swift module and
    its C trap-report target), for tests that link an extension module against it."""
    return sorted(str(p) for target in ("SwiftPy.build", "CSwiftPyTraps.build")
                  for p in (DEBUG / target).glob("*.o"))


def client_flags():
    """swiftc flags for code compiled against the debug build outside SwiftPM, as a
    user's would be: SwiftPy's modules and the C module maps they need."""
    return [
        "-swift-version", "6", "-I", str(DEBUG / "Modules"),
        "-Xcc", f"-fmodule-map-file={ROOT / 'CModules' / 'CPython' / 'module.modulemap'}",
        "-Xcc", f"-fmodule-map-file={ROOT / 'Sources' / 'CSwiftPyTraps' / 'include' / 'module.modulemap'}",
        "-Xcc", f"-I{sysconfig.get_paths()['include']}",
    ]


def compile_extension(source_text, folder, name, timeout=900):
    """Compiles `source_text` with SwiftPy's debug objects into `folder/name<EXT_SUFFIX>`
    (Python's symbols stay undefined: the interpreter that loads it has them); returns
    the path, or fails the test with the compiler's errors."""
    import subprocess
    source = folder / f"{name}.swift"
    source.write_text(source_text)
    target = folder / (name + sysconfig.get_config_var("EXT_SUFFIX"))
    command = ["swiftc", "-emit-library", "-parse-as-library", *client_flags(), str(source),
               *library_objects(), "-o", str(target)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return target


def needs_build():
    """A pytest mark: skip unless swiftc and a debug build for this interpreter exist."""
    import shutil
    import pytest
    return pytest.mark.skipif(
        shutil.which("swiftc") is None or not (DEBUG / "Modules" / "SwiftPy.swiftmodule").exists() or not MATCHES,
        reason=REASON)


def load_extension(name, path):
    """Imports the module `name` (its `PyInit_<name>`) from the shared object at `path`."""
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module

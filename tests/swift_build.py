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

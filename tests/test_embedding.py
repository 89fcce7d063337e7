"""The embedded interpreter (Swift program `swiftpy-python`): runs Python that calls
SwiftPy builtins, and `Python.attach` refuses cleanly before start, during
finalization and after it (no hang, no crash)."""
import shutil
import subprocess

import pytest

import swift_build

BINARY = swift_build.DEBUG / "swiftpy-python"

# A program of the development build, not part of the wheel: where the toolchain and the
# -dev libraries are hidden (Scripts/check-wheel) it cannot load, and is not under test.
pytestmark = pytest.mark.skipif(not BINARY.exists() or not swift_build.MATCHES or shutil.which("swiftc") is None,
                                reason="needs the Swift toolchain and `Scripts/swiftpm build` (swiftpy-python)")


def run(*args):
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=60)


def test_runs_python_code_with_builtin_swift_modules():
    result = run("-c", "import swiftpy_demo as d; print(d.add(2, 3), d.greet('embed'))")
    assert result.returncode == 0, result.stderr
    assert "5 Hello, embed!" in result.stdout


def test_python_errors_are_reported_not_crashing():
    result = run("-c", "raise ValueError('nope')")
    assert result.returncode == 1
    assert "ValueError: nope" in result.stdout


def test_attach_refuses_before_start_during_and_after_finalization():
    result = run("--finalization-check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "before start: attach refused (the Python interpreter is not running)" in result.stdout
    assert "during finalization: the Python interpreter is shutting down" in result.stdout
    assert "after finalize: the Python interpreter is not running" in result.stdout
    assert "WRONG" not in result.stdout and "HANG" not in result.stdout


def test_finalize_waits_for_a_thread_that_is_attached():
    # No SwiftPy module imported, so no exit handler of theirs: Interpreter.finalize itself
    # must refuse new attaches and let the attached thread finish. Without that, the thread
    # never reported (the process exited first) or was ended by CPython.
    result = run("--finalize-waits-check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "attached at finalize: finished"

"""The GIL rules are compile errors: each Tests/CompileFail/*.swift snippet must fail to
compile against the built SwiftPy module with the diagnostics its `// expect-error:`
lines name; Control*.swift snippets must compile. The snippets are compiled to SIL, not
only type-checked: lifetime errors (a ~Escapable token or span escaping its scope) are
diagnosed there. They are compiled WITHOUT SwiftPy's experimental `Lifetimes` flag, as a
user's code is.

Needs the Swift build (`Scripts/swiftpm build`) that the test command runs first.
"""
import os
import re
import shutil
import subprocess
import sysconfig

import pytest

import swift_build

ROOT = swift_build.ROOT
SNIPPETS = sorted((ROOT / "Tests" / "CompileFail").glob("*.swift"))
MODULES = swift_build.DEBUG / "Modules"

pytestmark = pytest.mark.skipif(
    shutil.which("swiftc") is None or not (MODULES / "SwiftPy.swiftmodule").exists()
    or not swift_build.MATCHES,
    reason=swift_build.REASON,
)


def typecheck(path):
    command = ["swiftc", "-emit-sil", "-o", os.devnull, *swift_build.client_flags(), str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_every_rule_has_a_snippet():
    names = {p.stem for p in SNIPPETS}
    assert {"CaptureToken", "CaptureObject", "CaptureBorrowed", "CaptureBuffer", "ReturnObject",
            "EscapeSpan", "TokenToThread", "AttachLeak", "ControlDetach",
            "StoreTokenInClass", "StoreTokenInGlobal", "TokenInEscapingClosure",
            "EscapeDetachedBuffers", "ControlDetachedBuffers"} <= names


@pytest.mark.parametrize("path", SNIPPETS, ids=lambda p: p.stem)
def test_snippet(path):
    result = typecheck(path)
    expected = re.findall(r"^// expect-error: (.+)$", path.read_text(), re.MULTILINE)
    if path.stem.startswith("Control"):
        assert result.returncode == 0, result.stderr
        return
    assert expected, f"{path.name} names no expected error"
    assert result.returncode != 0, f"{path.name} compiled, but must not"
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    for message in expected:
        assert any(message in line for line in errors), f"missing {message!r} in:\n" + "\n".join(errors)

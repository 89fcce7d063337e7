"""Every code block of docs/guide.md is checked, so the guide cannot drift from the API.

- ```swift blocks are type-checked against the built SwiftPy modules (like
  test_compile_fail.py). A block without an `import` line gets `import SwiftPy` first, and
  is read as a library file (`-parse-as-library`). Markers, as comment lines at the top of
  a block:
    // guide: fragment          statements: wrapped in `func f(_ py: Python) throws { ... }`
    // guide: main              top-level code (a program's main.swift)
    // guide: continues         appended to the previous swift block (shares its names)
    // guide: expect-error: M   must NOT compile, with an error containing M (repeatable)
- ```python blocks run, each in a fresh interpreter (this one), against the installed
  package; `# guide: continues` appends a block to the previous python block.
- No other fenced block is allowed: everything the guide shows is checked.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide.md"
try:  # the shared locator of the Swift debug build (Scripts/test makes it first)
    import swift_build

    MODULES, BUILD_MATCHES = swift_build.DEBUG / "Modules", swift_build.MATCHES
except ImportError:
    MODULES = pathlib.Path(os.environ.get("SWIFTPY_SWIFT_BUILD") or ROOT / ".build") / "debug" / "Modules"
    BUILD_MATCHES = True

# A fenced block, possibly indented (inside a list item): indent, language, body.
FENCE = re.compile(r"^([ \t]*)```([^\n`]*)\n(.*?)^\1```[ \t]*$", re.MULTILINE | re.DOTALL)
MARKER = re.compile(r"^\s*(?://|#) guide: (.+?)\s*$", re.MULTILINE)


class Block:
    def __init__(self, language, code, line):
        self.language, self.code, self.line = language, code, line
        self.markers = MARKER.findall(code)
        self.expected_errors = [m[len("expect-error:"):].strip() for m in self.markers if m.startswith("expect-error:")]
        self.source = code  # the full program, after `continues` and wrapping

    def has(self, marker):
        return marker in self.markers

    def __repr__(self):
        return f"{self.language}@{GUIDE.name}:{self.line}"


def blocks():
    text = GUIDE.read_text()
    result = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        result.append(Block(match.group(2).strip(), textwrap.dedent(match.group(3)), line))
    previous = {}
    for block in result:
        if block.language == "swift":
            code = block.code
            if block.has("fragment"):
                code = "func guideFragment(_ py: Python) throws {\n" + code + "\n}\n"
            if block.has("continues"):
                code = previous["swift"].source + "\n" + code
            elif not re.search(r"^import ", code, re.MULTILINE):
                code = "import SwiftPy\n" + code
            block.source = code
        elif block.language == "python" and block.has("continues"):
            block.source = previous["python"].source + "\n" + block.code
        previous[block.language] = block
    return result


ALL = blocks()
SWIFT = [b for b in ALL if b.language == "swift"]
PYTHON = [b for b in ALL if b.language == "python"]


def test_every_block_is_checked():
    assert SWIFT and PYTHON
    fences = len(re.findall(r"^[ \t]*```", GUIDE.read_text(), re.MULTILINE))
    assert fences == 2 * len(ALL), "a fence the parser missed (unbalanced or oddly indented)"
    unchecked = [b for b in ALL if b.language not in ("swift", "python")]
    assert not unchecked, f"blocks this test cannot check (use swift or python): {unchecked}"


def test_the_guide_covers_the_api():
    text = GUIDE.read_text()
    for name in ("Function(", "Parameter(", ".keywordOnly", "Parameter.optional", "TypeDefinition(", "Method(",
                 "Property(", "Constructor(", "PythonClass", "ModuleDefinition(", "ExceptionDefinition(",
                 "makeState", "detach", "detachInterruptibly", "PyBuffer", "PyBytesBuilder", "SwiftBuffer", "PyException",
                 "PythonExceptionConvertible", "Interpreter.start", "Python.attach", "@unchecked Sendable"):
        assert name in text, name


def typecheck(block, directory):
    path = pathlib.Path(directory) / f"block{block.line}.swift"
    path.write_text(block.source)
    command = [
        "swiftc", "-emit-sil", "-o", os.devnull, "-swift-version", "6", "-I", str(MODULES),
        "-Xcc", f"-fmodule-map-file={ROOT / 'CModules' / 'CPython' / 'module.modulemap'}",
        "-Xcc", f"-fmodule-map-file={ROOT / 'Sources' / 'CSwiftPyTraps' / 'include' / 'module.modulemap'}",
        "-Xcc", f"-fmodule-map-file={ROOT / 'CModules' / 'CPythonEmbed' / 'module.modulemap'}",
        "-Xcc", f"-I{sysconfig.get_paths()['include']}",
    ]
    if not block.has("main"):
        command.append("-parse-as-library")
    return subprocess.run(command + [str(path)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def swift_results(tmp_path_factory):
    if shutil.which("swiftc") is None or not (MODULES / "SwiftPy.swiftmodule").exists() or not BUILD_MATCHES:
        pytest.skip(f"needs swiftc and a debug build of SwiftPy for this interpreter in {MODULES.parent.parent} (Scripts/swiftpm build)")
    directory = tmp_path_factory.mktemp("guide")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(SWIFT, pool.map(lambda b: typecheck(b, directory), SWIFT)))


@pytest.mark.parametrize("block", SWIFT, ids=repr)
def test_swift_block(block, swift_results):
    result = swift_results[block]
    if not block.expected_errors:
        assert result.returncode == 0, f"{block!r} does not type-check:\n{result.stderr}\n--- source:\n{block.source}"
        return
    assert result.returncode != 0, f"{block!r} compiled, but the guide says it must not"
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    for message in block.expected_errors:
        assert any(message in line for line in errors), f"{block!r}: missing {message!r} in:\n" + "\n".join(errors)


@pytest.mark.parametrize("block", PYTHON, ids=repr)
def test_python_block(block, tmp_path):
    result = subprocess.run([sys.executable, "-c", block.source], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{block!r} failed:\n{result.stdout}\n{result.stderr}"

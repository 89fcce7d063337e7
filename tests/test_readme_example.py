"""The README's "write your own builtin" block is compiled into a real extension module
and called from Python, so the README cannot drift from the API."""
import importlib.machinery
import importlib.util
import re
import shutil
import subprocess
import sysconfig

import pytest

import swift_build

ROOT = swift_build.ROOT
BUILD = swift_build.DEBUG

needs_build = swift_build.needs_build()


def readme_example():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```swift\n(.*?)```", text, re.DOTALL)
    return next(b for b in blocks if "PyInit_fastmath" in b and "ModuleDefinition" in b)


def test_readme_block_is_short():
    assert len(readme_example().strip().splitlines()) <= 20


@needs_build
def test_readme_example_builds_and_runs(tmp_path):
    target = swift_build.compile_extension(readme_example(), tmp_path, "fastmath", timeout=600)

    loader = importlib.machinery.ExtensionFileLoader("fastmath", str(target))
    spec = importlib.util.spec_from_file_location("fastmath", str(target), loader=loader)
    fastmath = importlib.util.module_from_spec(spec)
    loader.exec_module(fastmath)

    import array
    assert fastmath.sum_squares(array.array("d", [1.0, 2.0, 3.0])) == 14.0
    assert fastmath.sum_squares(b"") == 0.0
    with pytest.raises(TypeError, match="a bytes-like object is required, not 'str'"):
        fastmath.sum_squares("not bytes")
    import inspect
    assert str(inspect.signature(fastmath.sum_squares)) == "(data, /)"

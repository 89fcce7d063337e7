"""The type stubs match the installed modules: mypy's stubtest checks every name,
signature and class in swiftpy.demo, swiftpy.zlib and swiftpy.blas against runtime."""
import subprocess
import sys

import pytest

pytest.importorskip("mypy.stubtest")


def test_stubtest_passes():
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "swiftpy.demo", "swiftpy.zlib", "swiftpy.blas"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr

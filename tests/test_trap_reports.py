"""A Swift trap inside a builtin still ends the process (Swift cannot unwind), but first
SwiftPy reports which builtin was running and the Python traceback, in release builds."""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import swiftpy.demo as demo

    def outer(kind):
        return inner(kind)

    def inner(kind):
        return demo._trap(kind)

    outer({kind!r})
""")


@pytest.mark.parametrize("kind", ["index", "overflow", "unwrap"])
def test_trap_reports_builtin_and_traceback(kind):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), SWIFTPY_TEST_TRAPS="1")
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(kind=kind)], capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode in (-signal.SIGILL, -signal.SIGTRAP), (result.returncode, result.stderr)
    err = result.stderr
    assert "Swift runtime trap" in err and "in SwiftPy builtin swiftpy.demo._trap()" in err, err
    assert "(most recent call first)" in err, err
    # The Python frames, innermost first.
    assert err.index('in inner') < err.index('in outer') < err.index('in <module>'), err


def test_no_report_without_a_trap():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run([sys.executable, "-c", "import swiftpy.demo as d; print(d.add(1, 2))"],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0 and result.stdout.strip() == "3" and result.stderr == ""


def test_trap_hook_refuses_without_the_test_flag(monkeypatch):
    from swiftpy import demo
    monkeypatch.delenv("SWIFTPY_TEST_TRAPS", raising=False)
    with pytest.raises(RuntimeError, match="set SWIFTPY_TEST_TRAPS=1"):
        demo._trap("index")

"""Packaging, slow part: `python -m swiftpy new` projects built the way a user builds them,
in a temporary folder outside this repository, against a locally built SwiftPy wheel.

- an isolated `pip install --find-links WHEELHOUSE .` (pip installs swiftpy-builtins from
  the wheel into its build environment: no clone, tag or URL), the project's tests, and
  its CI script's manylinux wheel tested in a fresh virtualenv without Swift on PATH;
- the develop loop: editable install, `python -m swiftpy develop` after a one-line change,
  and a compile error reported as the compiler's error, once, without a traceback.

Each builds SwiftPy's Swift sources once (a few minutes on 2 cores), so they run only
when $SWIFTPY_WHEELHOUSE names a folder holding a swiftpy_builtins wheel: Scripts/test
runs them once, after Scripts/check-wheel has put the manylinux wheel there."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHEELHOUSE = os.environ.get("SWIFTPY_WHEELHOUSE", "")

pytestmark = [
    pytest.mark.skipif(not WHEELHOUSE or not glob.glob(os.path.join(WHEELHOUSE, "swiftpy_builtins-*.whl")),
                       reason="needs $SWIFTPY_WHEELHOUSE with a swiftpy_builtins wheel (Scripts/test sets it)"),
    pytest.mark.skipif(shutil.which("swift") is None, reason="needs a Swift toolchain"),
]

PIP_ENV = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_ROOT_USER_ACTION": "ignore", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture
def outside():
    """A temporary folder that is not inside this repository."""
    folder = os.path.realpath(tempfile.mkdtemp(prefix="swiftpy-new-"))
    assert os.path.commonpath([folder, os.path.realpath(ROOT)]) != os.path.realpath(ROOT)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run(command, cwd, timeout=1200, check=True, env=None):
    full_env = dict(os.environ, **PIP_ENV, **(env or {}))
    full_env.pop("SWIFTPY_PACKAGE_PATH", None)
    result = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def make_venv(folder):
    """A virtualenv with the SwiftPy wheel (as a user would `pip install` it) and pytest."""
    venv = os.path.join(folder, "venv")
    run([sys.executable, "-m", "venv", venv], folder)
    python = os.path.join(venv, "bin", "python")
    run([python, "-m", "pip", "install", "-q", "--find-links", WHEELHOUSE, "swiftpy-builtins", "pytest",
         "setuptools>=64", "wheel"], folder)
    return python


def test_new_project_builds_isolated_and_ships_a_manylinux_wheel(outside):
    python = make_venv(outside)
    start = time.monotonic()
    run([python, "-m", "swiftpy", "new", "demo", "--dir", outside], outside)
    project = os.path.join(outside, "demo")
    # The project's CI script: isolated `pip install .` (swiftpy-builtins from the wheelhouse),
    # pytest, `pip wheel .` + auditwheel repair, and that wheel tested in a fresh venv.
    result = run([os.path.join(project, "ci.sh")], project, env={"PYTHON": python, "SWIFTPY_WHEELS": WHEELHOUSE})
    out = result.stdout + result.stderr
    print(out[-3000:])
    print(f"scaffold -> built, tested and manylinux wheel tested: {time.monotonic() - start:.0f} s")
    assert len(re.findall(r"^\d+ passed", out, re.M)) == 2, out
    wheels = glob.glob(os.path.join(project, "wheelhouse", "demo-0.1.0-cp*-manylinux_2_*_x86_64*.whl"))
    assert len(wheels) == 1, os.listdir(os.path.join(project, "wheelhouse"))
    assert "ci: OK" in out
    # The build used the SwiftPy from the wheel, copied into the project's build folder.
    copy = glob.glob(os.path.join(project, ".build-*", "swiftpy-package", "SwiftPy", "Package.swift"))
    assert len(copy) == 1


def test_develop_loop(outside):
    python = make_venv(outside)
    run([python, "-m", "swiftpy", "new", "loop", "--dir", outside], outside)
    project = os.path.join(outside, "loop")
    # Editable install, isolated: the extension is built into python/loop/.
    run([python, "-m", "pip", "install", "-q", "--find-links", WHEELHOUSE, "-e", project], outside)
    assert glob.glob(os.path.join(project, "python", "loop", "_native.*.so"))
    run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", os.path.join(project, "tests")], outside)

    def version():
        return run([python, "-c", "import loop; print(loop.VERSION)"], outside).stdout.strip()

    assert version() == "0.1.0"
    module = os.path.join(project, "Sources", "Loop", "LoopModule.swift")
    source = open(module).read()
    with open(module, "w") as f:
        f.write(source.replace('("VERSION", "0.1.0")', '("VERSION", "0.1.1")'))
    start = time.monotonic()
    result = run([python, "-m", "swiftpy", "develop", project], outside)
    print(f"one-line rebuild (python -m swiftpy develop): {time.monotonic() - start:.1f} s")
    assert version() == "0.1.1"

    # A compile error: the compiler's own message with its source line, once, no traceback.
    kernels = os.path.join(project, "Sources", "Loop", "Kernels.swift")
    good = open(kernels).read()
    with open(kernels, "w") as f:
        f.write(good.replace("var i = 0", 'var i: Int = "zero"'))
    result = run([python, "-m", "swiftpy", "develop", project], outside, check=False)
    out = result.stdout + result.stderr
    print(out)
    assert result.returncode == 1
    headers = re.findall(r"Kernels\.swift:\d+:\d+: error: (.*)", out)
    assert headers == ["cannot convert value of type 'String' to specified type 'Int'"], out
    assert 'var i: Int = "zero"' in out
    assert "Traceback" not in out and "warning:" not in out
    assert len(out.splitlines()) < 25, out
    # The same error through pip: once, no traceback of setuptools' in it.
    result = run([python, "-m", "pip", "install", "-q", "--find-links", WHEELHOUSE, "-e", project], outside, check=False)
    out = result.stdout + result.stderr
    print(out)
    assert result.returncode != 0
    assert len(re.findall(r"Kernels\.swift:\d+:\d+: error: cannot convert", out)) == 1, out
    assert "Traceback" not in out
    # Fixed again: builds, and the tests pass.
    with open(kernels, "w") as f:
        f.write(good)
    run([python, "-m", "swiftpy", "develop", project], outside)
    run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", os.path.join(project, "tests")], outside)
    assert version() == "0.1.1"

"""Packaging, fast part: the installed swiftpy ships SwiftPy's Swift package and the project
template, `python -m swiftpy new` writes a complete project, the build helper syncs the
Swift package without touching unchanged files, and a failed `swift build` is reported as
the compiler's errors, each once. (Building scaffolded projects: test_new_project.py.)"""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

import swiftpy
from swiftpy import build, scaffold

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_swiftpy(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "swiftpy", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_distribution_name_is_ours():
    from importlib.metadata import distribution, packages_distributions
    assert "swiftpy-builtins" in packages_distributions()["swiftpy"]
    assert distribution("swiftpy-builtins").version == swiftpy.__version__
    # The PyPI name "swiftpy" is someone else's project: nothing of ours may ask for it.
    texts = {path: open(os.path.join(ROOT, path)).read() for path in (
        "pyproject.toml", "Examples/fastsum/pyproject.toml", "README.md", "docs/guide.md",
        "Examples/fastsum/README.md", "python/swiftpy/project-template/pyproject.toml.tmpl")}
    for path, text in texts.items():
        assert not re.search(r'"swiftpy\s*[<>=]|pip install swiftpy\b(?!-)|name = "swiftpy"', text), path
    assert '"swiftpy-builtins>=' in texts["Examples/fastsum/pyproject.toml"]
    assert '"swiftpy-builtins>={{swiftpy_version}}"' in texts["python/swiftpy/project-template/pyproject.toml.tmpl"]


def test_package_path_holds_the_swift_package():
    result = run_swiftpy("--package-path")
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip()
    assert path == build.package_path()
    for needed in ("Package.swift", "Sources/SwiftPy/Python.swift", "CModules/CPython/module.modulemap",
                   "CModules/CPython/shim.h"):
        assert os.path.isfile(os.path.join(path, needed)), needed
    if os.path.dirname(path) == os.path.join(os.path.dirname(swiftpy.__file__), "swift"):
        # Installed from a wheel: the folder's name is the package identity dependents use.
        assert os.path.basename(path) == "SwiftPy"
        with open(os.path.join(path, "Package.swift")) as shipped, open(os.path.join(ROOT, "Package.swift")) as ours:
            assert shipped.read() == ours.read()
    else:  # an editable install: the checkout itself
        assert os.path.samefile(path, ROOT)


def test_sync_package_rewrites_only_what_changed(tmp_path):
    source, copy = tmp_path / "src", tmp_path / "copy"
    (source / "Sources" / "A").mkdir(parents=True)
    (source / "CModules" / "C").mkdir(parents=True)
    (source / "Package.swift").write_text("// manifest\n")
    (source / "Sources" / "A" / "a.swift").write_text("let a = 1\n")
    (source / "Sources" / "A" / ".hidden").write_text("x")
    (source / "CModules" / "C" / "shim.h").write_text("#pragma once\n")
    (source / "Tests").mkdir()
    (source / "Tests" / "t.swift").write_text("// not shipped\n")
    build.sync_package(str(source), str(copy))
    listing = sorted(os.path.relpath(os.path.join(d, f), copy) for d, _, fs in os.walk(copy) for f in fs)
    assert listing == ["CModules/C/shim.h", "Package.swift", "Sources/A/a.swift"]
    old = time.time() - 1000
    for name in listing:
        os.utime(copy / name, (old, old))
    (source / "Sources" / "A" / "a.swift").write_text("let a = 2\n")
    (source / "CModules" / "C" / "shim.h").unlink()
    build.sync_package(str(source), str(copy))
    assert (copy / "Sources" / "A" / "a.swift").read_text() == "let a = 2\n"
    assert os.path.getmtime(copy / "Package.swift") == pytest.approx(old)  # unchanged: untouched
    assert not (copy / "CModules" / "C").exists()


# Output of a failed `swift build` (Swift 6.3), shortened: the error appears twice.
FAILED_BUILD = """\
Building for production...
[0/5] Write sources
[3/7] Compiling Demo DemoModule.swift
/tmp/demo/Sources/Demo/Kernels.swift:4:22: error: cannot convert value of type 'String' to specified type 'Int'
 2 | enum Kernels {
 3 |     static func count() -> Int {
 4 |         let n: Int = "ten"
   |                      `- error: cannot convert value of type 'String' to specified type 'Int'
 5 |         return n
 6 |     }
/tmp/demo/Sources/Demo/Kernels.swift:9:5: warning: variable 'x' was never used
 9 |     var x = 1
   |     `- warning: variable 'x' was never used
[4/7] Compiling Demo Kernels.swift
/tmp/demo/Sources/Demo/Kernels.swift:4:22: error: cannot convert value of type 'String' to specified type 'Int'
 2 | enum Kernels {
 3 |     static func count() -> Int {
 4 |         let n: Int = "ten"
   |                      `- error: cannot convert value of type 'String' to specified type 'Int'
 5 |         return n
 6 |     }
error: emit-module command failed with exit code 1 (use -v to see invocation)
error: fatalError
"""


def test_compiler_errors_are_each_reported_once_with_context():
    errors = build.compiler_errors(FAILED_BUILD)
    assert len(errors) == 1
    lines = errors[0].splitlines()
    assert lines[0] == ("/tmp/demo/Sources/Demo/Kernels.swift:4:22: error: cannot convert value of type 'String' "
                        "to specified type 'Int'")
    assert ' 4 |         let n: Int = "ten"' in lines
    assert not any("warning" in line or "[4/7]" in line for line in lines)
    warnings = build.compiler_errors(FAILED_BUILD, kind="warning")
    assert len(warnings) == 1 and "never used" in warnings[0]
    # SwiftPM's own errors (a manifest or a missing product) have no file position.
    assert build.compiler_errors("error: no product named 'Nope'\n") == ["error: no product named 'Nope'"]


def test_new_project_is_complete(tmp_path):
    result = run_swiftpy("new", "my-tool", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    root = tmp_path / "my-tool"
    files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
    assert files == [".gitignore", "Package.swift", "README.md", "Sources/MyTool/Kernels.swift",
                     "Sources/MyTool/MyToolModule.swift", "ci.sh", "pyproject.toml", "python/my_tool/__init__.py",
                     "python/my_tool/_native.pyi", "python/my_tool/py.typed", "setup.py", "tests/test_my_tool.py"]
    for name in files:
        text = (root / name).read_text()
        assert "{{" not in text and "__module__" not in text and "__Module__" not in text, name
    assert os.access(root / "ci.sh", os.X_OK)
    assert 'name = "my-tool"' in (root / "pyproject.toml").read_text()
    assert f'"swiftpy-builtins>={swiftpy.__version__}"' in (root / "pyproject.toml").read_text()
    assert 'SwiftExtension("my_tool._native", product="MyToolNative"' in (root / "setup.py").read_text()
    assert 'name: "my_tool._native"' in (root / "Sources/MyTool/MyToolModule.swift").read_text()
    for name in files:
        if name.endswith(".py"):
            compile((root / name).read_text(), name, "exec")
    # Refuses to write over a project, and names it cannot use.
    again = run_swiftpy("new", "my-tool", "--dir", str(tmp_path))
    assert again.returncode == 2 and "already exists and is not empty" in again.stderr
    for bad, message in (("2fast", "not a usable project name"), ("class", "import name 'class'"),
                         ("zlib", "clashes with SwiftPy's own"), ("swiftpy", "import name 'swiftpy'")):
        result = run_swiftpy("new", bad, "--dir", str(tmp_path))
        assert result.returncode == 2 and message in result.stderr, (bad, result.stderr)
        assert not (tmp_path / bad).exists()


def test_names_for():
    assert scaffold.names_for("demo") == {"name": "demo", "module": "demo", "Module": "Demo"}
    assert scaffold.names_for("Fast.Count-2") == {"name": "Fast.Count-2", "module": "fast_count_2", "Module": "FastCount2"}
    with pytest.raises(ValueError):
        scaffold.names_for("a--b")


def dependency_block(path):
    text = open(path).read()
    return text[text.index("// swiftpy-dependency: begin"):text.index("// swiftpy-dependency: end")]


def test_fastsum_and_the_template_depend_on_swiftpy_alike():
    template = os.path.join(os.path.dirname(scaffold.__file__), "project-template", "Package.swift.tmpl")
    assert dependency_block(os.path.join(ROOT, "Examples", "fastsum", "Package.swift")) == dependency_block(template)
    fastsum = open(os.path.join(ROOT, "Examples", "fastsum", "Package.swift")).read()
    assert "../.." not in fastsum and ".package(path: swiftPyPath)" in fastsum
    assert '.product(name: "SwiftPy", package: swiftPyIdentity)' in fastsum


@pytest.mark.skipif(shutil.which("swift") is None or shutil.which("git") is None, reason="needs swift and git")
def test_git_url_and_tag_form_resolves(tmp_path):
    """The pure-SwiftPM form the docs give, `.package(url: ".../SwiftPy.git", from: "0.2.0")`
    with `.product(name: "SwiftPy", package: "SwiftPy")`, against a clone of this
    repository tagged like a release (resolution only, no build)."""
    if not os.path.exists(os.path.join(ROOT, ".git")):
        pytest.skip("not a git checkout")
    subprocess.run(["git", "clone", "-q", "--bare", ROOT, str(tmp_path / "SwiftPy.git")], check=True, timeout=120)
    subprocess.run(["git", "-C", str(tmp_path / "SwiftPy.git"), "tag", "0.2.0", "HEAD"], check=True)
    app = tmp_path / "app"
    (app / "Sources" / "App").mkdir(parents=True)
    (app / "Sources" / "App" / "App.swift").write_text("import SwiftPy\n")
    (app / "Package.swift").write_text(
        "// swift-tools-version:6.0\nimport PackageDescription\n"
        'let package = Package(name: "App",\n'
        f'    dependencies: [.package(url: "file://{tmp_path}/SwiftPy.git", from: "0.2.0")],\n'
        '    targets: [.target(name: "App", dependencies: [.product(name: "SwiftPy", package: "SwiftPy")])])\n')
    result = subprocess.run(["swift", "package", "show-dependencies"], cwd=app, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "swiftpy<" in result.stdout and "@0.2.0>" in result.stdout, result.stdout

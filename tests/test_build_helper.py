"""The build helper (swiftpy.build) compiles against the RUNNING interpreter's headers,
whatever python3.pc the machine's folders hold, and never reuses a build folder made
for other headers; and a SwiftPy module loaded into another CPython than the one whose
headers built it raises an ImportError that names both."""
import glob
import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

from swiftpy import build

needs_pkg_config = pytest.mark.skipif(shutil.which("pkg-config") is None, reason="needs pkg-config")


def pkg_config(env, *args):
    return subprocess.run(["pkg-config", *args], env=env, capture_output=True, text=True, check=True).stdout.split()


def decoy_folder(tmp_path):
    """A folder whose python3.pc is ANOTHER Python's, as Debian's LIBPC holds the
    distribution's default Python (3.11 on Debian 12) for every python3.X."""
    folder = tmp_path / "decoy"
    folder.mkdir()
    for name in ("python3", "python3-embed"):
        (folder / f"{name}.pc").write_text(
            "Name: Python\nDescription: decoy\nVersion: 3.0\nLibs: -lpython3.0\nCflags: -I/decoy/include/python3.0\n")
    return folder


@needs_pkg_config
def test_pkg_config_gives_this_interpreters_headers_not_the_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("PKG_CONFIG_PATH", str(decoy_folder(tmp_path)))
    assert pkg_config(dict(os.environ), "--modversion", "python3") == ["3.0"]  # the trap is armed
    env = build.swiftpm_environment(scratch_path=str(tmp_path / "scratch"))
    config = build.python_build_config()
    assert pkg_config(env, "--modversion", "python3") == [config["version"]]
    cflags = pkg_config(env, "--cflags", "python3")
    assert cflags[0] == "-I" + sysconfig.get_paths()["include"]
    assert all(os.path.isdir(flag[2:]) for flag in cflags)
    assert any(os.path.exists(os.path.join(flag[2:], "Python.h")) for flag in cflags)
    embed = pkg_config(env, "--libs", "python3-embed")
    assert f"-lpython{config['ldversion']}" in embed
    assert env["SWIFTPY_PYTHON"] == sys.executable


@needs_pkg_config
def test_debian_layout_libpc_would_have_been_wrong():
    # Where the interpreter's LIBPC holds a python3.pc of another version (Debian's
    # python3.14 next to the default 3.11), show that the helper does not use it.
    libpc = sysconfig.get_config_var("LIBPC") or ""
    pc = os.path.join(libpc, "python3.pc")
    if not os.path.exists(pc):
        pytest.skip("this interpreter's LIBPC has no python3.pc")
    env = dict(os.environ, PKG_CONFIG_PATH=libpc)
    folder_version = pkg_config(env, "--modversion", "python3")[0]
    ours = "{}.{}".format(*sys.version_info[:2])
    if folder_version == ours:
        pytest.skip(f"{pc} is this interpreter's ({ours}): not a Debian alternate-version layout")
    helper_env = build.swiftpm_environment(scratch_path=os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                                      f"swiftpy-layout-{os.getpid()}"))
    assert pkg_config(helper_env, "--modversion", "python3")[0].startswith(ours + ".")


def test_stale_build_folder_is_deleted(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "stale.o").write_text("compiled against other headers")
    other = dict(build.python_build_config(), version="3.0.0", include_dirs=["/elsewhere/include/python3.0"])
    identity = {key: other[key] for key in ("version", "soabi", "gil_disabled", "include_dirs", "libdir", "ldversion")}
    (scratch / build.STAMP).write_text(json.dumps(identity))
    build.prepare_scratch(str(scratch))
    assert not (scratch / "stale.o").exists()
    assert json.loads((scratch / build.STAMP).read_text())["version"] == build.python_build_config()["version"]
    # A folder made for THESE headers is kept.
    (scratch / "fresh.o").write_text("ok")
    build.prepare_scratch(str(scratch))
    assert (scratch / "fresh.o").exists()


def other_interpreters():
    """Installed CPythons of the supported range other than this one."""
    found = {}
    roots = glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.*"))
    for version in ("3.10", "3.11", "3.12", "3.13", "3.14", "3.15"):
        if version == "{}.{}".format(*sys.version_info[:2]):
            continue
        candidates = [p for p in roots if p.endswith("/python" + version) and "t/bin" not in p]
        candidates.append(shutil.which("python" + version) or "")
        for candidate in candidates:
            if candidate and subprocess.run([candidate, "-c", "import sys"], capture_output=True).returncode == 0:
                found[version] = candidate
                break
    return found


def test_module_loaded_into_another_cpython_names_both_versions(tmp_path):
    others = other_interpreters()
    if not others:
        pytest.skip("no other CPython 3.10-3.15 installed")
    import swiftpy
    native = swiftpy.native_library_path()
    built = "{}.{}".format(*sys.version_info[:2])
    # A manylinux wheel's module finds its bundled libraries at $ORIGIN/../swiftpy_builtins.libs:
    # the copies below (in tmp_path/<version>/) must too.
    libs = os.path.join(os.path.dirname(os.path.dirname(native)), "swiftpy_builtins.libs")
    if os.path.isdir(libs):
        os.symlink(libs, tmp_path / "swiftpy_builtins.libs")
    checked = 0
    for version, python in sorted(others.items()):
        suffix = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"],
                                capture_output=True, text=True, check=True).stdout.strip()
        folder = tmp_path / version
        folder.mkdir()
        target = folder / ("_native" + suffix)
        shutil.copyfile(native, target)
        probe = (
            "import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('swiftpy.zlib', {str(target)!r})\n"
            "try:\n"
            "    importlib.util.module_from_spec(spec)\n"
            "except ImportError as error:\n"
            "    print('ImportError:', error)\n"
            "else:\n"
            "    print('imported')\n")
        result = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60)
        out = result.stdout.strip()
        assert result.returncode == 0, result.stderr
        assert out.startswith("ImportError: swiftpy.zlib was built with the headers of CPython " + built), (version, out)
        assert f"imported by CPython {version}." in out, (version, out)
        assert "rebuild it with this interpreter" in out
        checked += 1
    assert checked == len(others)


def _recorded_swift_build(tmp_path, **options):
    """The `swift` command line `build.swift_build` runs (a stand-in `swift` records it
    and makes the library SwiftPM would)."""
    (tmp_path / "Package.swift").write_text("// swift-tools-version:6.2\n")
    (tmp_path / "SwiftPy").mkdir(exist_ok=True)  # no copy of SwiftPy's package needed
    record = tmp_path / "argv.json"
    fake = tmp_path / "swift"
    fake.write_text(
        "#!" + sys.executable + "\nimport json, os, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
        "scratch = sys.argv[sys.argv.index('--scratch-path') + 1]\n"
        "config = sys.argv[sys.argv.index('-c') + 1]\n"
        "os.makedirs(os.path.join(scratch, config), exist_ok=True)\n"
        "open(os.path.join(scratch, config, 'libP.so'), 'w').close()\n")
    fake.chmod(0o755)
    build.swift_build(str(tmp_path), "P", scratch_path="scratch", swift=str(fake), verbose=False, **options)
    return json.loads(record.read_text())


def test_release_builds_use_link_time_optimisation(tmp_path, monkeypatch):
    """Release builds link with LTO (argument conversions are SwiftPy's conformances, only
    devirtualised at link time); debug builds, lto=False and SWIFTPY_LTO=0 do not."""
    monkeypatch.delenv("SWIFTPY_SWIFT_FLAGS", raising=False)
    monkeypatch.delenv("SWIFTPY_LTO", raising=False)
    monkeypatch.setenv("SWIFTPY_PACKAGE_PATH", str(tmp_path / "SwiftPy"))
    lto = "--experimental-lto-mode=full"
    assert lto in _recorded_swift_build(tmp_path)
    assert lto not in _recorded_swift_build(tmp_path, lto=False)
    assert lto not in _recorded_swift_build(tmp_path, configuration="debug")
    monkeypatch.setenv("SWIFTPY_LTO", "0")
    assert lto not in _recorded_swift_build(tmp_path)
    assert lto in _recorded_swift_build(tmp_path, lto=True)


def test_develop_builds_without_link_time_optimisation(tmp_path, monkeypatch):
    """`python -m swiftpy develop` rebuilds with SWIFTPY_LTO=0 (a one-line change must not
    redo the whole LTO link) unless the user set it."""
    import swiftpy.__main__ as cli
    (tmp_path / "setup.py").write_text("")
    seen = []
    monkeypatch.setattr(cli.subprocess, "run", lambda command, **kw: seen.append(kw["env"]) or
                        subprocess.CompletedProcess(command, 0))
    monkeypatch.delenv("SWIFTPY_LTO", raising=False)
    assert cli.main(["develop", str(tmp_path)]) == 0
    monkeypatch.setenv("SWIFTPY_LTO", "1")
    assert cli.main(["develop", str(tmp_path)]) == 0
    assert [env["SWIFTPY_LTO"] for env in seen] == ["0", "1"]

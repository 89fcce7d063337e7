"""pybind11 and nanobind builds of the same noop/add functions, compiled by the
benchmark's own setup from their PyPI packages (never committed as binaries), as per-call
anchors next to the hand-written C extension."""
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sysconfig
import tempfile

PYBIND11 = r"""
#include <pybind11/pybind11.h>
PYBIND11_MODULE(swiftpy_bench_pybind11, m) {
    m.def("noop", []() {});
    m.def("add", [](long a, long b) { return a + b; });
}
"""

NANOBIND = r"""
#include <nanobind/nanobind.h>
NB_MODULE(swiftpy_bench_nanobind, m) {
    m.def("noop", []() {});
    m.def("add", [](long a, long b) { return a + b; });
}
"""


def _cache_dir(key):
    folder = os.path.join(tempfile.gettempdir(), f"swiftpy-bench-{key}")
    os.makedirs(folder, exist_ok=True)
    return folder


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compile(name, source, include_dirs, extra_sources=(), extra_flags=()):
    compiler = shutil.which(os.environ.get("CXX", "c++")) or shutil.which("g++")
    if compiler is None:
        return None, "no C++ compiler"
    include = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    key = hashlib.sha256("|".join([source, include, suffix, *include_dirs, *extra_sources]).encode()).hexdigest()[:16]
    folder = _cache_dir(f"{name}-{key}")
    target = os.path.join(folder, name + suffix)
    if not os.path.exists(target):
        path = os.path.join(folder, name + ".cpp")
        with open(path, "w") as handle:
            handle.write(source)
        command = [compiler, "-O2", "-shared", "-fPIC", "-std=c++17", "-fvisibility=hidden", f"-I{include}",
                   *[f"-I{d}" for d in include_dirs], *extra_flags, path, *extra_sources, "-o", target]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            return None, f"{name} build failed: " + result.stderr[-300:]
    return _load(name, target), None


def build_pybind11():
    try:
        import pybind11
    except ImportError:
        return None, "pybind11 not installed (pip install pybind11)"
    return _compile("swiftpy_bench_pybind11", PYBIND11, [pybind11.get_include()])


def build_nanobind():
    try:
        import nanobind
    except ImportError:
        return None, "nanobind not installed (pip install nanobind)"
    root = os.path.dirname(nanobind.include_dir())
    combined = os.path.join(nanobind.source_dir(), "nb_combined.cpp")
    robin_map = os.path.join(root, "ext", "robin_map", "include")
    if not os.path.exists(combined):
        return None, "nanobind sources not found"
    return _compile("swiftpy_bench_nanobind", NANOBIND, [nanobind.include_dir(), robin_map],
                    extra_sources=[combined], extra_flags=["-DNDEBUG"])


def build_all():
    """[(label, module)] for each binding that built, and notes for those that did not."""
    found, notes = [], []
    for label, builder in (("pybind11", build_pybind11), ("nanobind", build_nanobind)):
        module, reason = builder()
        if module is not None:
            found.append((label, module))
        else:
            notes.append(f"{label} skipped: {reason}")
    return found, notes

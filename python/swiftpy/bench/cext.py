"""A hand-written C extension (METH_FASTCALL noop/add), compiled in the benchmark's own run
with the system C compiler, as the per-call anchor: what a C builtin costs here."""
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sysconfig
import tempfile

SOURCE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *noop(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 0) {
        PyErr_Format(PyExc_TypeError, "noop() takes no arguments (%zd given)", nargs);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *add(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "add() takes exactly 2 arguments (%zd given)", nargs);
        return NULL;
    }
    long a = PyLong_AsLong(args[0]);
    if (a == -1 && PyErr_Occurred()) return NULL;
    long b = PyLong_AsLong(args[1]);
    if (b == -1 && PyErr_Occurred()) return NULL;
    long sum;
    if (__builtin_add_overflow(a, b, &sum)) {
        PyErr_SetString(PyExc_OverflowError, "result too large");
        return NULL;
    }
    return PyLong_FromLong(sum);
}

static PyMethodDef methods[] = {
    {"noop", (PyCFunction)(void (*)(void))noop, METH_FASTCALL, NULL},
    {"add", (PyCFunction)(void (*)(void))add, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "swiftpy_bench_cext", NULL, 0, methods};

PyMODINIT_FUNC PyInit_swiftpy_bench_cext(void) { return PyModule_Create(&module); }
"""


def build():
    """Compiles (or reuses) the C extension; returns the module, or None with a reason."""
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        return None, "no C compiler"
    include = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    key = hashlib.sha256((SOURCE + include + suffix).encode()).hexdigest()[:16]
    folder = os.path.join(tempfile.gettempdir(), f"swiftpy-bench-cext-{key}")
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, "swiftpy_bench_cext" + suffix)
    if not os.path.exists(target):
        source = os.path.join(folder, "cext.c")
        with open(source, "w") as handle:
            handle.write(SOURCE)
        command = [compiler, "-O2", "-shared", "-fPIC", f"-I{include}", source, "-o", target]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            return None, "C build failed: " + result.stderr[-300:]
    spec = importlib.util.spec_from_file_location("swiftpy_bench_cext", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, None

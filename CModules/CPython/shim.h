/// CPython's C API for Swift: headers only. An extension module never links libpython
/// (its symbols come from the interpreter that loads it); executables that embed the
/// interpreter also depend on CPythonEmbed, which links it.
///
/// This header holds ONLY what Swift cannot import from Python.h: macros, variadic or
/// version-dependent definitions, and data symbols that Swift 6 would treat as shared
/// mutable globals.
#ifndef SWIFTPY_CPYTHON_SHIM_H
#define SWIFTPY_CPYTHON_SHIM_H
#include "../Prelude/swiftpy_prelude.h"
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/// `Py_None`, `Py_True`, `Py_False`: macros over data symbols.
static inline PyObject *swiftpy_none(void) { return Py_None; }
static inline PyObject *swiftpy_true(void) { return Py_True; }
static inline PyObject *swiftpy_false(void) { return Py_False; }
static inline PyObject *swiftpy_not_implemented(void) { return Py_NotImplemented; }

/// `Py_INCREF`/`Py_DECREF`/`Py_XDECREF`: inline, but wrapped by macros with casts.
static inline void swiftpy_incref(PyObject *o) { Py_INCREF(o); }
static inline void swiftpy_decref(PyObject *o) { Py_DECREF(o); }
static inline void swiftpy_xdecref(PyObject *o) { Py_XDECREF(o); }
static inline PyObject *swiftpy_newref(PyObject *o) { Py_INCREF(o); return o; }
static inline Py_ssize_t swiftpy_refcnt(PyObject *o) { return Py_REFCNT(o); }
static inline PyTypeObject *swiftpy_type(PyObject *o) { return Py_TYPE(o); }

/// Type checks that are macros over `tp_flags`.
static inline int swiftpy_long_check(PyObject *o) { return PyLong_Check(o); }
static inline int swiftpy_bool_check(PyObject *o) { return PyBool_Check(o); }
static inline int swiftpy_float_check(PyObject *o) { return PyFloat_Check(o); }
static inline int swiftpy_unicode_check(PyObject *o) { return PyUnicode_Check(o); }
static inline int swiftpy_bytes_check(PyObject *o) { return PyBytes_Check(o); }
static inline int swiftpy_list_check(PyObject *o) { return PyList_Check(o); }
static inline int swiftpy_tuple_check(PyObject *o) { return PyTuple_Check(o); }
static inline int swiftpy_dict_check(PyObject *o) { return PyDict_Check(o); }
static inline int swiftpy_type_check(PyObject *o) { return PyType_Check(o); }
static inline int swiftpy_exception_instance_check(PyObject *o) { return PyExceptionInstance_Check(o); }

/// The start of every `int` (and `int` subclass) object, which SwiftPy's `Int` conversion
/// reads in Swift itself: the word after the object header (`ob_size` up to 3.11, the
/// `lv_tag` of 3.12+) and the first digit. Not a C helper function: Swift marks every call
/// made inside a protocol witness thunk `noinline`, so a helper stayed a call (19
/// instructions per argument, measured with callgrind) even under link-time optimisation.
typedef struct {
    PyObject header;
    Py_ssize_t size_or_tag;
    digit first_digit;
} swiftpy_long_head;

/// `Py_TPFLAGS_LONG_SUBCLASS` as a literal Swift can import.
#define SWIFTPY_TPFLAGS_LONG_SUBCLASS 16777216UL
_Static_assert(SWIFTPY_TPFLAGS_LONG_SUBCLASS == Py_TPFLAGS_LONG_SUBCLASS, "Py_TPFLAGS_LONG_SUBCLASS moved");

#if PY_VERSION_HEX >= 0x030C0000
/// 3.12+: a tag below 16 (`2 << _PyLong_NON_SIZE_BITS`) means at most one digit ("compact");
/// the sign is `1 - (tag & 3)` (`_PyLong_SIGN_MASK`): `_PyLong_IsCompact` and
/// `_PyLong_CompactValue`.
#define SWIFTPY_LONG_IS_TAGGED 1
#define SWIFTPY_LONG_COMPACT_TAG_LIMIT 16
#define SWIFTPY_LONG_SIGN_MASK 3
_Static_assert(SWIFTPY_LONG_COMPACT_TAG_LIMIT == (2 << _PyLong_NON_SIZE_BITS), "lv_tag layout changed");
_Static_assert(SWIFTPY_LONG_SIGN_MASK == _PyLong_SIGN_MASK, "lv_tag layout changed");
_Static_assert(offsetof(swiftpy_long_head, size_or_tag) == offsetof(PyLongObject, long_value.lv_tag), "int layout changed");
_Static_assert(offsetof(swiftpy_long_head, first_digit) == offsetof(PyLongObject, long_value.ob_digit), "int layout changed");
#else
/// Up to 3.11: `ob_size` is the signed digit count (0 has no digit allocated on 3.9-3.10).
#define SWIFTPY_LONG_IS_TAGGED 0
#define SWIFTPY_LONG_COMPACT_TAG_LIMIT 0
#define SWIFTPY_LONG_SIGN_MASK 0
_Static_assert(offsetof(swiftpy_long_head, size_or_tag) == offsetof(PyLongObject, ob_base.ob_size), "int layout changed");
_Static_assert(offsetof(swiftpy_long_head, first_digit) == offsetof(PyLongObject, ob_digit), "int layout changed");
#endif

/// Tuple/list/bytes accessors that are macros.
static inline PyObject *swiftpy_tuple_get_item(PyObject *t, Py_ssize_t i) { return PyTuple_GET_ITEM(t, i); }
static inline void swiftpy_tuple_set_item(PyObject *t, Py_ssize_t i, PyObject *v) { PyTuple_SET_ITEM(t, i, v); }
static inline Py_ssize_t swiftpy_tuple_size(PyObject *t) { return PyTuple_GET_SIZE(t); }
static inline void swiftpy_list_set_item(PyObject *l, Py_ssize_t i, PyObject *v) { PyList_SET_ITEM(l, i, v); }
static inline char *swiftpy_bytes_as_string(PyObject *b) { return PyBytes_AS_STRING(b); }
static inline Py_ssize_t swiftpy_var_size(PyObject *o) { return Py_SIZE(o); }
static inline int swiftpy_bytes_check_exact(PyObject *o) { return PyBytes_CheckExact(o); }

/// The item array of a tuple (`PyTupleObject.ob_item`), for vectorcall-style access.
static inline PyObject *const *swiftpy_tuple_items(PyObject *t) { return ((PyTupleObject *)t)->ob_item; }

/// `Py_TPFLAGS_DEFAULT`: an OR of macros, some defined conditionally.
static inline unsigned long swiftpy_tpflags_default(void) { return Py_TPFLAGS_DEFAULT; }

/// Flags of SwiftPy's function types (macros, some of them ORs): a GC-tracked,
/// non-instantiable, immutable type whose instances are called through vectorcall; with
/// `method_descriptor`, CPython calls `obj.method(...)` without creating a bound method.
static inline unsigned long swiftpy_tpflags_function(int method_descriptor) {
    unsigned long flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL
        | Py_TPFLAGS_DISALLOW_INSTANTIATION | Py_TPFLAGS_IMMUTABLETYPE;
    return method_descriptor ? flags | Py_TPFLAGS_METHOD_DESCRIPTOR : flags;
}

/// `tp_flags` of the per-module binding type of module functions (a `module` subclass
/// instantiated only by SwiftPy).
static inline unsigned long swiftpy_tpflags_binding(void) {
    return Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION | Py_TPFLAGS_IMMUTABLETYPE;
}

/// `ml_flags` of SwiftPy's module functions.
static inline int swiftpy_meth_fastcall_keywords(void) { return METH_FASTCALL | METH_KEYWORDS; }

/// The argument count of a vectorcall (`PyVectorcall_NARGS` masks the offset flag; it is
/// inline in some versions, a macro-built function in others).
static inline Py_ssize_t swiftpy_vectorcall_nargs(size_t nargsf) { return PyVectorcall_NARGS(nargsf); }

/// The `PyMemberDef` type code and flag of a read-only `Py_ssize_t` member (renamed
/// `Py_T_PYSSIZET`/`Py_READONLY` in 3.12; the old names are deprecated).
static inline int swiftpy_member_pyssizet(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return Py_T_PYSSIZET;
#else
    return T_PYSSIZET;
#endif
}
static inline int swiftpy_member_readonly(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return Py_READONLY;
#else
    return READONLY;
#endif
}

/// A type's `__dict__` (new reference): `PyType_GetDict` from 3.12, `tp_dict` before.
/// SwiftPy adds its method objects there once the type exists (they reference it).
static inline PyObject *swiftpy_type_dict(PyTypeObject *type) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyType_GetDict(type);
#else
    Py_XINCREF(type->tp_dict);
    return type->tp_dict;
#endif
}

/// Calls a GC visit procedure (`Py_VISIT` is a macro over it).
static inline int swiftpy_visit(visitproc visit, PyObject *o, void *arg) {
    return o ? visit(o, arg) : 0;
}

/// `PyModuleDef_HEAD_INIT` is a brace initializer.
static inline PyModuleDef_Base swiftpy_moduledef_head_init(void) {
    PyModuleDef_Base base = PyModuleDef_HEAD_INIT;
    return base;
}

/// Slot ids that 3.15 defines through `_Py_SLOT_COMPAT_VALUE(OLD, NEW)` (a function-like
/// macro Swift cannot import): the value for these headers, old or new numbering.
static inline int swiftpy_slot_mod_exec(void) { return Py_mod_exec; }
static inline int swiftpy_slot_bf_getbuffer(void) { return Py_bf_getbuffer; }
static inline int swiftpy_slot_bf_releasebuffer(void) { return Py_bf_releasebuffer; }

/// The CPython these headers are (`PY_VERSION_HEX`, an expression macro), and whether
/// they are a free-threaded build's (`Py_GIL_DISABLED`): compared at import with the
/// interpreter that loads the module.
static inline unsigned long swiftpy_compiled_version_hex(void) { return PY_VERSION_HEX; }
static inline int swiftpy_compiled_gil_disabled(void) {
#ifdef Py_GIL_DISABLED
    return 1;
#else
    return 0;
#endif
}

/// Module slots that exist only on newer interpreters; 0 means "not available here".
static inline int swiftpy_slot_multiple_interpreters(void) {
#ifdef Py_mod_multiple_interpreters
    return Py_mod_multiple_interpreters;
#else
    return 0;
#endif
}
static inline void *swiftpy_per_interpreter_gil_supported(void) {
#ifdef Py_MOD_PER_INTERPRETER_GIL_SUPPORTED
    return Py_MOD_PER_INTERPRETER_GIL_SUPPORTED;
#else
    return NULL;
#endif
}
static inline int swiftpy_slot_gil(void) {
#ifdef Py_mod_gil
    return Py_mod_gil;
#else
    return 0;
#endif
}
static inline void *swiftpy_mod_gil_not_used(void) {
#ifdef Py_MOD_GIL_NOT_USED
    return Py_MOD_GIL_NOT_USED;
#else
    return NULL;
#endif
}

/// The version-dependent functions below are referenced WEAKLY: a module built with one
/// CPython's headers and loaded into another then still loads, and its import-time
/// guard (InterpreterCheck.swift) raises an ImportError that names both versions,
/// instead of the loader's `undefined symbol: _Py_IsFinalizing`. Nothing calls them
/// before that guard has passed.
#if PY_VERSION_HEX >= 0x030C0000
#pragma weak PyType_GetDict
#endif
#if PY_VERSION_HEX >= 0x030D0000
#pragma weak Py_IsFinalizing
#pragma weak PyThreadState_GetUnchecked
#else
#pragma weak _Py_IsFinalizing
#pragma weak _PyThreadState_UncheckedGet
#endif

/// Whether the interpreter is shutting down. `Py_IsFinalizing` is public from 3.13;
/// earlier versions only have the private `_Py_IsFinalizing`.
static inline int swiftpy_is_finalizing(void) {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

#if PY_VERSION_HEX >= 0x030D0000
/// `_PyOS_IsMainThread` (whether this thread handles signals: the main thread of the main
/// interpreter) moved to the internal pycore_signal.h in 3.13 but is still exported
/// (`PyAPI_FUNC`); declared here so Swift keeps calling it by its name.
PyAPI_FUNC(int) _PyOS_IsMainThread(void);
#endif

/// The calling thread's thread state if it is attached to an interpreter (holds its GIL),
/// else NULL, without `PyThreadState_Get`'s fatal error.
/// - 3.12+: the current thread state is thread-local: `PyThreadState_GetUnchecked` (public
///   from 3.13), `_PyThreadState_UncheckedGet` before.
/// - 3.10-3.11: `_PyThreadState_UncheckedGet` is the process-wide GIL HOLDER's state,
///   whichever thread holds it, so it counts only if it is this thread's (see below).
static inline PyThreadState *swiftpy_attached_thread_state(void) {
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked();
#elif PY_VERSION_HEX >= 0x030C0000
    return _PyThreadState_UncheckedGet();
#else
    /* Before 3.12 the "current" thread state is process-wide: whichever thread holds the
       GIL. It is this thread's if it is the state PyGILState keeps for this thread (compared
       by address), or, for a state this thread swapped in by hand (a subinterpreter's), if
       its thread_id is this thread's. That second read may touch the state of a thread
       that is deleting it: CPython frees it only after clearing the current state, so the
       read can at worst see stale memory of a small heap block and then compares unequal,
       which is the right answer for a thread that is not attached. */
    PyThreadState *current = _PyThreadState_UncheckedGet();
    if (current == NULL) return NULL;
    if (current == PyGILState_GetThisThreadState()) return current;
    return current->thread_id == PyThread_get_thread_ident() ? current : NULL;
#endif
}

/// A monotonic clock in nanoseconds. Here rather than through Swift's Glibc module:
/// importing Glibc next to CPython makes Clang see libc under two sets of feature macros.
static inline unsigned long long swiftpy_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/// Static struct-module format strings (a Py_buffer's `format` must outlive the view).
static inline const char *swiftpy_format_d(void) { return "d"; }
static inline const char *swiftpy_format_f(void) { return "f"; }
static inline const char *swiftpy_format_B(void) { return "B"; }

/// Raises `exc` with an already formatted UTF-8 message. (`PyErr_Format` is variadic.)
static inline void swiftpy_set_error(PyObject *exc, const char *message) {
    PyErr_SetString(exc, message);
}

/// Exception classes are data symbols (`PyAPI_DATA`); Swift 6 would see them as shared
/// mutable globals. The accessor reads them once, under the GIL.
typedef enum {
    SWIFTPY_EXC_BASE, SWIFTPY_EXC_EXCEPTION, SWIFTPY_EXC_TYPE, SWIFTPY_EXC_VALUE,
    SWIFTPY_EXC_OVERFLOW, SWIFTPY_EXC_BUFFER, SWIFTPY_EXC_MEMORY, SWIFTPY_EXC_RUNTIME,
    SWIFTPY_EXC_INDEX, SWIFTPY_EXC_KEY, SWIFTPY_EXC_ATTRIBUTE, SWIFTPY_EXC_KEYBOARD_INTERRUPT,
    SWIFTPY_EXC_NOT_IMPLEMENTED, SWIFTPY_EXC_OS, SWIFTPY_EXC_ZERO_DIVISION,
    SWIFTPY_EXC_SYSTEM, SWIFTPY_EXC_STOP_ITERATION, SWIFTPY_EXC_UNICODE_DECODE,
    SWIFTPY_EXC_EOF, SWIFTPY_EXC_LOOKUP, SWIFTPY_EXC_ARITHMETIC, SWIFTPY_EXC_IMPORT,
} swiftpy_exception_kind;

static inline PyObject *swiftpy_exception(swiftpy_exception_kind kind) {
    switch (kind) {
    case SWIFTPY_EXC_BASE: return PyExc_BaseException;
    case SWIFTPY_EXC_EXCEPTION: return PyExc_Exception;
    case SWIFTPY_EXC_TYPE: return PyExc_TypeError;
    case SWIFTPY_EXC_VALUE: return PyExc_ValueError;
    case SWIFTPY_EXC_OVERFLOW: return PyExc_OverflowError;
    case SWIFTPY_EXC_BUFFER: return PyExc_BufferError;
    case SWIFTPY_EXC_MEMORY: return PyExc_MemoryError;
    case SWIFTPY_EXC_RUNTIME: return PyExc_RuntimeError;
    case SWIFTPY_EXC_INDEX: return PyExc_IndexError;
    case SWIFTPY_EXC_KEY: return PyExc_KeyError;
    case SWIFTPY_EXC_ATTRIBUTE: return PyExc_AttributeError;
    case SWIFTPY_EXC_KEYBOARD_INTERRUPT: return PyExc_KeyboardInterrupt;
    case SWIFTPY_EXC_NOT_IMPLEMENTED: return PyExc_NotImplementedError;
    case SWIFTPY_EXC_OS: return PyExc_OSError;
    case SWIFTPY_EXC_ZERO_DIVISION: return PyExc_ZeroDivisionError;
    case SWIFTPY_EXC_SYSTEM: return PyExc_SystemError;
    case SWIFTPY_EXC_STOP_ITERATION: return PyExc_StopIteration;
    case SWIFTPY_EXC_UNICODE_DECODE: return PyExc_UnicodeDecodeError;
    case SWIFTPY_EXC_EOF: return PyExc_EOFError;
    case SWIFTPY_EXC_LOOKUP: return PyExc_LookupError;
    case SWIFTPY_EXC_ARITHMETIC: return PyExc_ArithmeticError;
    case SWIFTPY_EXC_IMPORT: return PyExc_ImportError;
    }
    return PyExc_SystemError;
}

/// Built-in types used for exact type checks and for creating objects.
static inline PyTypeObject *swiftpy_module_type(void) { return &PyModule_Type; }
static inline PyTypeObject *swiftpy_memoryview_type(void) { return &PyMemoryView_Type; }

/// Asks Linux for transparent huge pages over [start, start + length) (numpy does the same
/// for arrays of 4 MiB and more): with THP in "madvise" mode, the default on Debian, a
/// 32 MiB result otherwise takes 8,192 page faults to fill instead of 16. Advice only:
/// failure, or another system, changes nothing.
static inline void swiftpy_advise_huge_pages(void *start, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    uintptr_t first = ((uintptr_t)start + 4095) & ~(uintptr_t)4095;
    uintptr_t end = ((uintptr_t)start + length) & ~(uintptr_t)4095;
    if (end > first) (void)madvise((void *)first, end - first, MADV_HUGEPAGE);
#else
    (void)start; (void)length;
#endif
}

#endif

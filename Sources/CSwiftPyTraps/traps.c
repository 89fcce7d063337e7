#include "swiftpy_traps.h"

#include <dlfcn.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Only what the handler needs from CPython, declared here so this file needs no Python
   headers: an opaque thread state, and the function that finds this thread's. */
typedef struct _ts PyThreadState;
extern PyThreadState *PyGILState_GetThisThreadState(void);
typedef void (*dump_traceback_fn)(int fd, PyThreadState *tstate);

/* For interpreters that export no traceback dumper (3.10): the frames through the public
   frame API (3.9+), looked up at install time. The process is about to die, so the small
   risk of calling these from a signal handler (reference counts, a cached UTF-8 name) is
   taken; faulthandler's dumper is used wherever it exists. */
typedef struct _object PyObject;
static void *(*get_frame)(PyThreadState *);
static void *(*frame_back)(void *);
static PyObject *(*frame_code)(void *);
static int (*frame_line)(void *);
static PyObject *(*get_attribute)(PyObject *, const char *);
static const char *(*as_utf8)(PyObject *);

static void write_string(const char *text);

static void write_number(int value) {
    char digits[16];
    int length = 0;
    if (value < 0) value = 0;
    do { digits[length++] = (char)('0' + value % 10); value /= 10; } while (value > 0 && length < 15);
    char text[16];
    for (int i = 0; i < length; i++) text[i] = digits[length - 1 - i];
    text[length] = 0;
    write_string(text);
}

static void walk_frames(PyThreadState *state) {
    if (!get_frame || !frame_back || !frame_code || !frame_line || !get_attribute || !as_utf8) return;
    write_string("Stack (most recent call first):\n");
    void *frame = get_frame(state);
    for (int depth = 0; frame != NULL && depth < 100; depth++) {
        PyObject *code = frame_code(frame);
        PyObject *file = code ? get_attribute(code, "co_filename") : NULL;
        PyObject *name = code ? get_attribute(code, "co_name") : NULL;
        const char *file_text = file ? as_utf8(file) : NULL;
        const char *name_text = name ? as_utf8(name) : NULL;
        write_string("  File \"");
        write_string(file_text ? file_text : "???");
        write_string("\", line ");
        write_number(frame_line(frame));
        write_string(" in ");
        write_string(name_text ? name_text : "???");
        write_string("\n");
        frame = frame_back(frame);
    }
}

_Thread_local const char *swiftpy_running_builtin;
static dump_traceback_fn dump_traceback;
static struct sigaction previous_sigill, previous_sigtrap;


static void write_string(const char *text) {
    size_t length = strlen(text);
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, text, length);
        if (written <= 0) return;
        text += written;
        length -= (size_t)written;
    }
}

static void trap_handler(int signal_number, siginfo_t *info, void *context) {
    (void)info; (void)context;
    const char *name = swiftpy_running_builtin;
    if (name != NULL) {
        write_string("Fatal Python error: Swift runtime trap (");
        write_string(signal_number == SIGILL ? "SIGILL" : "SIGTRAP");
        write_string(") in SwiftPy builtin ");
        write_string(name);
        write_string("()\nThe builtin's Swift code failed a runtime check (overflow, index out of range, "
                     "nil unwrap, precondition); the process cannot continue.\n\n");
        PyThreadState *state = PyGILState_GetThisThreadState();
        if (state != NULL) {
            if (dump_traceback != NULL) dump_traceback(STDERR_FILENO, state);
            else walk_frames(state);
        }
    }
    /* Put the previous handler back and return: the trapping instruction runs again and
       ends the process as it would have (or reaches faulthandler, if enabled). */
    sigaction(signal_number, signal_number == SIGILL ? &previous_sigill : &previous_sigtrap, NULL);
}

void swiftpy_install_trap_reporter(void) {
    static int installed = 0;
    if (installed) return;
    installed = 1;
    /* 3.15: the public PyUnstable_DumpTraceback; before: the exported _Py_DumpTraceback
       that faulthandler uses. Looked up, not linked: a missing one costs the traceback,
       never the import. */
    void *dump = dlsym(RTLD_DEFAULT, "PyUnstable_DumpTraceback");
    if (dump == NULL) dump = dlsym(RTLD_DEFAULT, "_Py_DumpTraceback");
    dump_traceback = (dump_traceback_fn)dump;
    get_frame = (void *(*)(PyThreadState *))dlsym(RTLD_DEFAULT, "PyThreadState_GetFrame");
    frame_back = (void *(*)(void *))dlsym(RTLD_DEFAULT, "PyFrame_GetBack");
    frame_code = (PyObject *(*)(void *))dlsym(RTLD_DEFAULT, "PyFrame_GetCode");
    frame_line = (int (*)(void *))dlsym(RTLD_DEFAULT, "PyFrame_GetLineNumber");
    get_attribute = (PyObject *(*)(PyObject *, const char *))dlsym(RTLD_DEFAULT, "PyObject_GetAttrString");
    as_utf8 = (const char *(*)(PyObject *))dlsym(RTLD_DEFAULT, "PyUnicode_AsUTF8");
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = trap_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGILL, &action, &previous_sigill);
    sigaction(SIGTRAP, &action, &previous_sigtrap);
}

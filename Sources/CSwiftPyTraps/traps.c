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

static _Thread_local const char *running_builtin;
static dump_traceback_fn dump_traceback;
static struct sigaction previous_sigill, previous_sigtrap;

const char *swiftpy_enter_builtin(const char *name) {
    const char *previous = running_builtin;
    running_builtin = name;
    return previous;
}

void swiftpy_leave_builtin(const char *previous) { running_builtin = previous; }

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
    const char *name = running_builtin;
    if (name != NULL) {
        write_string("Fatal Python error: Swift runtime trap (");
        write_string(signal_number == SIGILL ? "SIGILL" : "SIGTRAP");
        write_string(") in SwiftPy builtin ");
        write_string(name);
        write_string("()\nThe builtin's Swift code failed a runtime check (overflow, index out of range, "
                     "nil unwrap, precondition); the process cannot continue.\n\n");
        PyThreadState *state = PyGILState_GetThisThreadState();
        if (dump_traceback != NULL && state != NULL) dump_traceback(STDERR_FILENO, state);
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
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = trap_handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGILL, &action, &previous_sigill);
    sigaction(SIGTRAP, &action, &previous_sigtrap);
}

/// Trap reports: when Swift code traps inside a builtin (an overflow, an index out of
/// range, a force-unwrap of nil, a failed precondition), the process still dies — Swift
/// cannot unwind — but first says which builtin was running and where Python was, as
/// `faulthandler` does for a segfault. Swift traps are `ud2` (SIGILL) on x86-64 and
/// `brk` (SIGTRAP) on arm64.
///
/// C rather than Swift: the handler runs in a signal context (async-signal-safe calls
/// only) and the running builtin's name lives in a C thread-local.
#ifndef SWIFTPY_TRAPS_H
#define SWIFTPY_TRAPS_H

/// The builtin running on this thread (NULL outside builtins), read by the handler.
///
/// Hidden: each copy of SwiftPy (one per extension) has its own. The default TLS model on
/// purpose: initial-exec would be a direct %fs access, but it puts the object's WHOLE TLS
/// block (176 bytes with the Swift runtime and Dispatch linked in) into glibc's small
/// static TLS reserve for dlopen'd objects (~512 bytes), so a few SwiftPy extensions in one
/// process could fail to import ("cannot allocate memory in static TLS block").
extern _Thread_local const char *swiftpy_running_builtin __attribute__((visibility("hidden")));

/// What `swiftpy_leave_builtin` restores: this thread's slot and its previous value.
typedef struct {
    const char **slot;
    const char *previous;
} swiftpy_builtin_scope;

/// Records `name` ("swiftpy.zlib.compress", a C string that lives for the process) as
/// the builtin running on this thread, until `swiftpy_leave_builtin(scope)` (calls nest: a
/// builtin may call Python that calls another). Inline, and the thread's slot is looked
/// up once per call (one `__tls_get_addr`), not once per access.
static inline swiftpy_builtin_scope swiftpy_enter_builtin(const char *name) {
    swiftpy_builtin_scope scope = { &swiftpy_running_builtin, swiftpy_running_builtin };
    *scope.slot = name;
    return scope;
}

/// Ends the scope `swiftpy_enter_builtin` began, on the same thread.
static inline void swiftpy_leave_builtin(swiftpy_builtin_scope scope) { *scope.slot = scope.previous; }

/// Installs the SIGILL/SIGTRAP handler once per copy of SwiftPy (each extension module
/// links its own); the previous handlers are chained.
void swiftpy_install_trap_reporter(void);

#endif

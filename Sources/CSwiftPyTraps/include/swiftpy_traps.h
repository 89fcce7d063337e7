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
/// initial-exec TLS: a direct %fs-relative access. The default model for a shared object
/// calls __tls_get_addr on every access, twice per builtin call: with the two calls out
/// of line, ~4 ns of a ~26 ns no-op call. glibc reserves static TLS for dlopen'd objects
/// (this needs 8 bytes). Hidden: each copy of SwiftPy (one per extension) has its own.
extern _Thread_local const char *swiftpy_running_builtin
    __attribute__((tls_model("initial-exec"), visibility("hidden")));

/// Records `name` ("swiftpy.zlib.compress", a C string that lives for the process) as
/// the builtin running on this thread; returns the previous one, for
/// `swiftpy_leave_builtin` (calls nest: a builtin may call Python that calls another).
/// Inline, so every builtin call pays two stores and no calls.
static inline const char *swiftpy_enter_builtin(const char *name) {
    const char *previous = swiftpy_running_builtin;
    swiftpy_running_builtin = name;
    return previous;
}

static inline void swiftpy_leave_builtin(const char *previous) { swiftpy_running_builtin = previous; }

/// Installs the SIGILL/SIGTRAP handler once per copy of SwiftPy (each extension module
/// links its own); the previous handlers are chained.
void swiftpy_install_trap_reporter(void);

#endif

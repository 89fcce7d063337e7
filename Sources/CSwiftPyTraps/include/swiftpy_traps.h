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

/// Records `name` ("swiftpy.zlib.compress", a C string that lives for the process) as
/// the builtin running on this thread; returns the previous one, for
/// `swiftpy_leave_builtin` (calls nest: a builtin may call Python that calls another).
const char *swiftpy_enter_builtin(const char *name);
void swiftpy_leave_builtin(const char *previous);

/// Installs the SIGILL/SIGTRAP handler once per copy of SwiftPy (each extension module
/// links its own); the previous handlers are chained.
void swiftpy_install_trap_reporter(void);

#endif

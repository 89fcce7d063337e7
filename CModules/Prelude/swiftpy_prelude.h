/// Feature-test macros shared by every SwiftPy shim header.
///
/// pyconfig.h defines _GNU_SOURCE, _XOPEN_SOURCE and friends. When CPython is imported
/// next to zlib or OpenBLAS, Clang builds each module once; if one module sees libc's
/// headers with these macros and another without, the modules disagree on types such as
/// `fd_set` ("not present in definition"). Every shim includes this file first, so all of
/// them see libc exactly as CPython's pyconfig.h configures it (same names, same values).
#ifndef SWIFTPY_PRELUDE_H
#define SWIFTPY_PRELUDE_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef _POSIX_PTHREAD_SEMANTICS
#define _POSIX_PTHREAD_SEMANTICS 1
#endif
#ifndef _DARWIN_C_SOURCE
#define _DARWIN_C_SOURCE 1
#endif
#ifndef _NETBSD_SOURCE
#define _NETBSD_SOURCE 1
#endif
#endif

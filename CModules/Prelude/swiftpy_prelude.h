/// The libc prelude shared by every SwiftPy shim header. Include it FIRST.
///
/// Why: Clang checks that a struct seen through two modules has one definition. glibc's
/// `fd_set` (and friends) change shape with feature-test macros: under _XOPEN_SOURCE its
/// field is `fds_bits`, otherwise `__fds_bits`. pyconfig.h defines _GNU_SOURCE and
/// _XOPEN_SOURCE, while Swift's own Glibc module, Dispatch and Foundation are built with
/// none. If Python.h is the first to include libc, CPython's module disagrees with every
/// module built in the default mode ("'fds_bits' ... is not present in definition of
/// 'fd_set'"), which makes SwiftPy unusable next to Dispatch or Foundation.
///
/// glibc evaluates the feature macros once, in <features.h>, at its first inclusion.
/// Including the common libc headers here, before any feature macro is defined, puts
/// every shim in the same default mode as Swift's Glibc module; pyconfig.h's later
/// #defines no longer change any declaration. (CPython's public headers need nothing
/// beyond POSIX.1-2008, which the default mode provides.)
#ifndef SWIFTPY_PRELUDE_H
#define SWIFTPY_PRELUDE_H
#include <features.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#endif

/// Links libpython for programs that embed the interpreter (tests, the benchmark,
/// Swift programs that run Python). Its flags come from `pkg-config python3-embed` of
/// the interpreter the build was configured for; it adds no declarations of its own:
/// the API itself is in CPython.
#ifndef SWIFTPY_CPYTHON_EMBED_SHIM_H
#define SWIFTPY_CPYTHON_EMBED_SHIM_H
#include "../CPython/shim.h"
static inline int swiftpy_embed_linked(void) { return 1; }
#endif

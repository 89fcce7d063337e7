/// OpenBLAS's CBLAS interface for Swift. `cblas.h` imports cleanly; this header adds
/// nothing but the shared prelude, so its libc view matches CPython's.
#ifndef SWIFTPY_COPENBLAS_SHIM_H
#define SWIFTPY_COPENBLAS_SHIM_H
#include "../Prelude/swiftpy_prelude.h"
#include <cblas.h>
#endif

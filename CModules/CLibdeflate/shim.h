/// libdeflate (Debian's libdeflate-dev) for Swift: the whole header imports as is; the
/// shim only puts SwiftPy's libc prelude first (docs/design.md, pitfall 2).
#ifndef SWIFTPY_CLIBDEFLATE_SHIM_H
#define SWIFTPY_CLIBDEFLATE_SHIM_H
#include "../Prelude/swiftpy_prelude.h"
#include <libdeflate.h>
#endif

/// Intel ISA-L (Debian's libisal-dev) for Swift: its CRC and igzip headers. Debian's
/// package ships no pkg-config file on every release, so the module map links `isal`
/// itself. The shim puts SwiftPy's libc prelude first (docs/design.md, pitfall 2).
#ifndef SWIFTPY_CISAL_SHIM_H
#define SWIFTPY_CISAL_SHIM_H
#include "../Prelude/swiftpy_prelude.h"
#include <isa-l.h>

/// `ISAL_VERSION` (0x021e00 for 2.30.0): built from function-like macros, which Swift
/// cannot import.
static inline unsigned swiftpy_isal_version(void) { return ISAL_VERSION; }

/// `ISAL_DEF_LVL1_DEFAULT`: the level-1 work buffer size (a macro expression).
static inline unsigned swiftpy_isal_level1_buffer_size(void) { return ISAL_DEF_LVL1_DEFAULT; }

/// Whether the stream has written its end (`internal_state.state == ZSTATE_END`).
static inline int swiftpy_isal_deflate_ended(const struct isal_zstream *stream) {
    return stream->internal_state.state == ZSTATE_END;
}
#endif

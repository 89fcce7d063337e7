/// zlib for Swift. Holds only what Swift cannot import from zlib.h: the init macros that
/// pass the library version and the stream size.
#ifndef SWIFTPY_CZLIB_SHIM_H
#define SWIFTPY_CZLIB_SHIM_H
#include "../Prelude/swiftpy_prelude.h"
#include <zlib.h>

/// `deflateInit2` is a macro over `deflateInit2_`.
static inline int swiftpy_deflate_init2(z_streamp strm, int level, int method, int window_bits,
                                        int mem_level, int strategy) {
    return deflateInit2(strm, level, method, window_bits, mem_level, strategy);
}

/// `inflateInit2` is a macro over `inflateInit2_`.
static inline int swiftpy_inflate_init2(z_streamp strm, int window_bits) {
    return inflateInit2(strm, window_bits);
}
#endif

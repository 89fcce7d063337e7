/// Which library compresses (`compress`, `compressobj`, `parallelCompress`).
///
/// `.zlib` (the default) is byte-identical to CPython's `zlib` at the same level.
/// `.fast` picks, per level, the fastest engine that writes a standard stream of the same
/// format at least as small as zlib's at that level (measured on text, see the README):
///
/// | level | engine | why |
/// |---|---|---|
/// | 0 | zlib | stored blocks: nothing to gain |
/// | 1 | ISA-L level 1 | ~4× zlib's speed, smaller output (27.8% vs 28.6% on Python source) |
/// | 2...9, -1 | libdeflate, same level | ~2× zlib's speed at level 6, smaller output (23.22% vs 23.29%) |
///
/// Only full 32 KiB windows (`wbits` 15, 31, -15), the default `memLevel`/`strategy` and no
/// `zdict` go to another engine: everything else is zlib's (a smaller window promises
/// decoders a smaller history; libdeflate cannot take a dictionary).
public enum CompressionEngine: String, Sendable, CaseIterable {
    case zlib
    case fast
}

/// The engine `.fast` selects for one call, or nil for zlib.
enum FastCompressionPlan: Equatable {
    case isal
    case libdeflate(level: Int32)

    init?(level: Int32, wbits: Int32) {
        guard wbits == 15 || wbits == 31 || wbits == -15 else { return nil }
        switch level {
        case 1: self = .isal
        case 2...9: self = .libdeflate(level: level)
        case -1: self = .libdeflate(level: 6)
        default: return nil
        }
    }
}

/// The container `wbits` 15, 31 or -15 selects.
enum FastFormat {
    case zlib, gzip, raw
    init(wbits: Int32) {
        self = wbits == 31 ? .gzip : wbits == -15 ? .raw : .zlib
    }
}

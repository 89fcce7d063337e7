import CZlib

/// A zlib flush mode, passed through to `deflate`/`inflate` unchanged.
///
/// Any `Int32` is representable because CPython forwards whatever integer the user passes;
/// zlib itself rejects unknown modes with `Z_STREAM_ERROR`, which surfaces as the same
/// "Error -2 while flushing: inconsistent stream state" that CPython reports.
public struct FlushMode: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `Z_NO_FLUSH`
    public static let noFlush = FlushMode(rawValue: Z_NO_FLUSH)
    /// `Z_PARTIAL_FLUSH`
    public static let partialFlush = FlushMode(rawValue: Z_PARTIAL_FLUSH)
    /// `Z_SYNC_FLUSH`
    public static let syncFlush = FlushMode(rawValue: Z_SYNC_FLUSH)
    /// `Z_FULL_FLUSH`
    public static let fullFlush = FlushMode(rawValue: Z_FULL_FLUSH)
    /// `Z_FINISH`
    public static let finish = FlushMode(rawValue: Z_FINISH)
    /// `Z_BLOCK`
    public static let block = FlushMode(rawValue: Z_BLOCK)
    /// `Z_TREES`
    public static let trees = FlushMode(rawValue: Z_TREES)
}

/// The integer constants CPython's `zlib` module exports, so the binding does not need to
/// import the C module itself.
public enum ZlibConstants {
    /// `MAX_WBITS` (15): the default and largest window.
    public static let maxWbits = MAX_WBITS
    /// `DEFLATED` / `Z_DEFLATED` (8): the only compression method.
    public static let deflated = Z_DEFLATED
    /// `DEF_MEM_LEVEL` (8): zlib's default `memLevel` (`MAX_MEM_LEVEL` is 9 and `zconf.h`
    /// does not export the default, so CPython hard-codes it too).
    public static let defaultMemLevel: Int32 = 8
    /// `DEF_BUF_SIZE` (16 KiB): CPython's default output buffer size.
    public static let defaultBufferSize = 16 * 1024
    /// `Z_NO_COMPRESSION` (0)
    public static let noCompression = Z_NO_COMPRESSION
    /// `Z_BEST_SPEED` (1)
    public static let bestSpeed = Z_BEST_SPEED
    /// `Z_BEST_COMPRESSION` (9)
    public static let bestCompression = Z_BEST_COMPRESSION
    /// `Z_DEFAULT_COMPRESSION` (-1): level 6.
    public static let defaultCompression = Z_DEFAULT_COMPRESSION
    /// `Z_FILTERED` (1)
    public static let filtered = Z_FILTERED
    /// `Z_HUFFMAN_ONLY` (2)
    public static let huffmanOnly = Z_HUFFMAN_ONLY
    /// `Z_RLE` (3)
    public static let rle = Z_RLE
    /// `Z_FIXED` (4)
    public static let fixed = Z_FIXED
    /// `Z_DEFAULT_STRATEGY` (0)
    public static let defaultStrategy = Z_DEFAULT_STRATEGY
}

/// The zlib version the package was compiled against (`ZLIB_VERSION`, CPython's
/// `zlib.ZLIB_VERSION`).
public let zlibVersion: String = ZLIB_VERSION

/// The zlib version loaded at run time (CPython's `zlib.ZLIB_RUNTIME_VERSION`); it can
/// differ from `zlibVersion` when the shared library was upgraded after the build.
/// The corresponding C function is `zlibVersion`.
public func zlibRuntimeVersion() -> String {
    unsafe String(cString: CZlib.zlibVersion())
}

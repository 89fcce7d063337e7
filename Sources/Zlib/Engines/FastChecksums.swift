import CISAL
import CLibdeflate

/// Below this many bytes `adler32` stays on zlib: libdeflate wins only on long runs, and
/// tiny inputs are where the libraries' edge cases live (zlib's short-input path of
/// `adler32`, empty buffers).
let fastChecksumMinimum = 64

/// From this many bytes ISA-L computes `crc32`. Debian's zlib 1.2.13 is slow on short
/// inputs, measured here in C: 16 bytes 17 ns (ISA-L 4.7), 32 bytes 44.5 ns (5.3),
/// 64 bytes 109 ns (6.9); below 16 ISA-L's setup costs more (8 bytes: zlib 6.6, ISA-L 16).
let fastCRC32Minimum = 16

/// CRC-32 by ISA-L (carry-less multiply, ~7× zlib 1.2.13 here); the same function as
/// zlib's `crc32`, continuing from `initial` (tests compare them on random data and starts).
/// The corresponding C function is `crc32_gzip_refl`.
func isalCRC32(_ input: UnsafeRawBufferPointer, initial: UInt32) -> UInt32 {
    guard let base = input.baseAddress else { return initial }
    // SAFETY: ISA-L reads exactly `input.count` bytes from `base`.
    return unsafe crc32_gzip_refl(initial, base.assumingMemoryBound(to: UInt8.self), UInt64(input.count))
}

/// Adler-32 by libdeflate (vectorised, ~10× zlib 1.2.13 here); the same function as zlib's
/// `adler32` for inputs of `fastChecksumMinimum` bytes or more.
/// The corresponding C function is `libdeflate_adler32`.
func libdeflateAdler32(_ input: UnsafeRawBufferPointer, initial: UInt32) -> UInt32 {
    guard let base = input.baseAddress else { return initial }
    // SAFETY: libdeflate reads exactly `input.count` bytes from `base`.
    return unsafe libdeflate_adler32(initial, base, input.count)
}

/// The engines' versions, for `swiftpy.zlib.ENGINES`.
public enum EngineVersions {
    /// libdeflate's `LIBDEFLATE_VERSION_STRING` at build time.
    public static let libdeflate: String = LIBDEFLATE_VERSION_STRING
    /// ISA-L's `ISAL_VERSION` at build time, as "major.minor.patch".
    public static let isal: String = {
        let v = swiftpy_isal_version()
        return "\(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)"
    }()
}

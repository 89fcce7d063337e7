import CZlib

/// Largest piece handed to zlib's checksum functions at once: their length is a 32-bit
/// `uInt`. A multiple of 4 KiB keeps pieces aligned for zlib's vectorised loops.
private let checksumPiece = 1 << 30

/// The CRC-32 of `input`, continuing from `initial` (CPython's `zlib.crc32(data, value)`;
/// pass the previous result to checksum data in pieces). Works for any size.
/// The corresponding C function is `crc32`.
/// From ``fastCRC32Minimum`` bytes ISA-L computes it (same result, ~7× faster on long
/// inputs here, ~8× on 32 bytes).
public func crc32(_ input: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
    if input.count >= fastCRC32Minimum { return unsafe isalCRC32(input, initial: initial) }
    var crc = uLong(initial)
    var offset = 0
    while offset < input.count, let base = input.baseAddress {
        let length = min(input.count - offset, checksumPiece)
        // SAFETY: [offset, offset + length) lies inside `input`; zlib only reads it.
        crc = unsafe CZlib.crc32(crc, (base + offset).assumingMemoryBound(to: Bytef.self), uInt(length))
        offset += length
    }
    return UInt32(truncatingIfNeeded: crc)
}

/// The Adler-32 of `input`, continuing from `initial` (CPython's `zlib.adler32(data,
/// value)`, whose default start value is 1). Works for any size.
/// The corresponding C function is `adler32`.
/// From ``fastChecksumMinimum`` bytes libdeflate computes it (same result, ~10× faster).
public func adler32(_ input: UnsafeRawBufferPointer, initial: UInt32 = 1) -> UInt32 {
    if input.count >= fastChecksumMinimum { return unsafe libdeflateAdler32(input, initial: initial) }
    var adler = uLong(initial)
    if unsafe input.isEmpty {
        // zlib reduces both halves modulo 65521 even for no bytes (but returns 1 for a NULL
        // buffer); CPython always passes a real buffer, so `adler32(b'', 0xFFFFFFFF)` is
        // 917518 there. Do the same with a real, empty buffer.
        var byte: UInt8 = 0
        return unsafe withUnsafePointer(to: &byte) { unsafe UInt32(truncatingIfNeeded: CZlib.adler32(adler, $0, 0)) }
    }
    var offset = 0
    while offset < input.count, let base = input.baseAddress {
        let length = min(input.count - offset, checksumPiece)
        // SAFETY: [offset, offset + length) lies inside `input`; zlib only reads it.
        adler = unsafe CZlib.adler32(adler, (base + offset).assumingMemoryBound(to: Bytef.self), uInt(length))
        offset += length
    }
    return UInt32(truncatingIfNeeded: adler)
}

/// `crc32` of an array.
public func crc32(_ input: [UInt8], initial: UInt32 = 0) -> UInt32 {
    unsafe input.withUnsafeBytes { unsafe crc32($0, initial: initial) }
}

/// `adler32` of an array.
public func adler32(_ input: [UInt8], initial: UInt32 = 1) -> UInt32 {
    unsafe input.withUnsafeBytes { unsafe adler32($0, initial: initial) }
}

/// The CRC-32 of A followed by B, given `crc1` = crc32(A), `crc2` = crc32(B) and B's length.
/// Lets blocks be checksummed in parallel and joined in O(log n).
/// The corresponding C function is `crc32_combine`. Its `z_off_t` length is `off_t`, 64-bit on
/// the platforms this package supports (64-bit Linux and macOS), so any `Int` length fits.
/// A zero `length2` gives what zlib gives (`crc1 ^ crc2`: B is empty only if `crc2` is 0);
/// a negative one returns `crc1`.
public func crc32Combine(_ crc1: UInt32, _ crc2: UInt32, length2: Int) -> UInt32 {
    guard length2 >= 0 else { return crc1 }
    return UInt32(truncatingIfNeeded: crc32_combine(uLong(crc1), uLong(crc2), .init(truncatingIfNeeded: length2)))
}

/// The Adler-32 of A followed by B, given `adler1` = adler32(A), `adler2` = adler32(B) and
/// B's length. The corresponding C function is `adler32_combine`.
/// A negative `length2` returns `adler1`; zero gives what zlib gives.
public func adler32Combine(_ adler1: UInt32, _ adler2: UInt32, length2: Int) -> UInt32 {
    guard length2 >= 0 else { return adler1 }
    return UInt32(truncatingIfNeeded: adler32_combine(uLong(adler1), uLong(adler2), .init(truncatingIfNeeded: length2)))
}

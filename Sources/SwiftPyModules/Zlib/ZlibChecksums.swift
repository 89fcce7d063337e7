import SwiftPy
import Zlib

/// `zlib.crc32` and `zlib.adler32`.
enum ZlibChecksums {
    static let crc32 = Function(
        "crc32",
        doc: """
            Compute a CRC-32 checksum of data.

              value
                Starting value of the checksum.

            The returned checksum is an integer.
            """,
        [Parameter("data", .positionalOnly), Parameter("value", .positionalOnly, default: ChecksumStart(0))]
    ) { (py: Python, data: PyBuffer, value: ChecksumStart) throws -> UInt32 in
        try checksum(py, data, value.value) { Zlib.crc32($0, initial: $1) }
    }

    static let adler32 = Function(
        "adler32",
        doc: """
            Compute an Adler-32 checksum of data.

              value
                Starting value of the checksum.

            The returned checksum is an integer.
            """,
        [Parameter("data", .positionalOnly), Parameter("value", .positionalOnly, default: ChecksumStart(1))]
    ) { (py: Python, data: PyBuffer, value: ChecksumStart) throws -> UInt32 in
        try checksum(py, data, value.value) { Zlib.adler32($0, initial: $1) }
    }

    /// Small inputs with the GIL held; large ones detached; huge ones in pieces with a
    /// Ctrl-C check between them.
    @inline(__always)
    static func checksum(
        _ py: Python, _ data: PyBuffer, _ start: UInt32,
        _ kernel: @escaping @Sendable (UnsafeRawBufferPointer, UInt32) -> UInt32
    ) throws -> UInt32 {
        let count = data.byteCount
        if count < Threshold.checksum {
            return data.withUnsafeBytes { kernel($0, start) }
        }
        if count < Threshold.interruptible {
            return try data.detach(py) { span in span.withUnsafeBytes { kernel($0, start) } }
        }
        return try data.detachInterruptibly(py) { span, interruption in
            try span.withUnsafeBytes { input in
                var value = start
                var offset = 0
                while offset < input.count {
                    let end = min(offset + Threshold.checksumPiece, input.count)
                    value = kernel(UnsafeRawBufferPointer(rebasing: input[offset..<end]), value)
                    offset = end
                    try interruption.check()
                }
                return value
            }
        }
    }
}

/// `zlib.crc32_combine` and `zlib.adler32_combine` (CPython 3.15; offered on every
/// interpreter). O(log n) in the length, so they never release the GIL.
enum ZlibChecksumCombine {
    static let crc32Combine = Function(
        "crc32_combine",
        doc: """
            Combine two CRC-32 checksums into one.

              crc1
                CRC-32 checksum for sequence A
              crc2
                CRC-32 checksum for sequence B
              len2
                Length of sequence B

            Given the CRC-32 checksum 'crc1' of a sequence A and the
            CRC-32 checksum 'crc2' of a sequence B of length 'len2',
            return the CRC-32 checksum of A and B concatenated.
            """,
        [Parameter("crc1", .positionalOnly), Parameter("crc2", .positionalOnly), Parameter("len2", .positionalOnly)]
    ) { (_: Python, crc1: ChecksumStart, crc2: ChecksumStart, len2: SSize) throws -> UInt32 in
        guard len2.value >= 0 else { throw PyException.valueError("len2 must be non-negative") }
        return Zlib.crc32Combine(crc1.value, crc2.value, length2: len2.value)
    }

    static let adler32Combine = Function(
        "adler32_combine",
        doc: """
            Combine two Adler-32 checksums into one.

              adler1
                Adler-32 checksum for sequence A
              adler2
                Adler-32 checksum for sequence B
              len2
                Length of sequence B

            Given the Adler-32 checksum 'adler1' of a sequence A and the
            Adler-32 checksum 'adler2' of a sequence B of length 'len2',
            return the Adler-32 checksum of A and B concatenated.
            """,
        [Parameter("adler1", .positionalOnly), Parameter("adler2", .positionalOnly), Parameter("len2", .positionalOnly)]
    ) { (_: Python, adler1: ChecksumStart, adler2: ChecksumStart, len2: SSize) throws -> UInt32 in
        guard len2.value >= 0 else { throw PyException.valueError("len2 must be non-negative") }
        return Zlib.adler32Combine(adler1.value, adler2.value, length2: len2.value)
    }
}

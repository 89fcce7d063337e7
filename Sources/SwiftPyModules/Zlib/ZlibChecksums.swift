import SwiftPy
import Zlib

/// `zlib.crc32` and `zlib.adler32`.
enum ZlibChecksums {
    static let crc32 = unsafe function("crc32", title: "CRC-32", start: 0) { unsafe Zlib.crc32($0, initial: $1) }
    static let adler32 = unsafe function("adler32", title: "Adler-32", start: 1) { unsafe Zlib.adler32($0, initial: $1) }

    /// `name(data, value=start, /)` with CPython's docstring for the `title` checksum.
    private static func function(
        _ name: String, title: String, start: UInt32,
        _ kernel: @escaping @Sendable (UnsafeRawBufferPointer, UInt32) -> UInt32
    ) -> Function {
        Function(
            name,
            doc: """
                Compute \(title == "Adler-32" ? "an" : "a") \(title) checksum of data.

                  value
                    Starting value of the checksum.

                The returned checksum is an integer.
                """,
            [Parameter("data", .positionalOnly), Parameter("value", .positionalOnly, default: ChecksumStart(start))]
        ) { (py: Python, data: PyBuffer, value: ChecksumStart) throws -> UInt32 in
            unsafe try checksum(py, data, value.value, kernel)
        }
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
            return unsafe data.withUnsafeBytes { unsafe kernel($0, start) }
        }
        if count < Threshold.interruptible {
            return try data.detach(py) { span in unsafe span.withUnsafeBytes { unsafe kernel($0, start) } }
        }
        return try data.detachInterruptibly(py) { span, interruption in
            unsafe try span.withUnsafeBytes { input in
                var value = start
                var offset = 0
                while offset < input.count {
                    let end = min(offset + Threshold.checksumPiece, input.count)
                    value = unsafe kernel(UnsafeRawBufferPointer(rebasing: input[offset..<end]), value)
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
    static let crc32Combine = function("crc32_combine", title: "CRC-32", argument: "crc") {
        Zlib.crc32Combine($0, $1, length2: $2)
    }
    static let adler32Combine = function("adler32_combine", title: "Adler-32", argument: "adler") {
        Zlib.adler32Combine($0, $1, length2: $2)
    }

    /// `name(argument1, argument2, len2, /)` with CPython's docstring for the `title`
    /// checksum.
    private static func function(
        _ name: String, title: String, argument: String,
        _ combine: @escaping @Sendable (UInt32, UInt32, Int) -> UInt32
    ) -> Function {
        Function(
            name,
            doc: """
                Combine two \(title) checksums into one.

                  \(argument)1
                    \(title) checksum for sequence A
                  \(argument)2
                    \(title) checksum for sequence B
                  len2
                    Length of sequence B

                Given the \(title) checksum '\(argument)1' of a sequence A and the
                \(title) checksum '\(argument)2' of a sequence B of length 'len2',
                return the \(title) checksum of A and B concatenated.
                """,
            [Parameter("\(argument)1", .positionalOnly), Parameter("\(argument)2", .positionalOnly),
             Parameter("len2", .positionalOnly)]
        ) { (_: Python, first: ChecksumStart, second: ChecksumStart, len2: SSize) throws -> UInt32 in
            guard len2.value >= 0 else { throw PyException.valueError("len2 must be non-negative") }
            return combine(first.value, second.value, len2.value)
        }
    }
}

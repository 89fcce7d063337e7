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

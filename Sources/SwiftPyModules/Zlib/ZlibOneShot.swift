import SwiftPy
import Zlib

/// `zlib.compress` and `zlib.decompress`.
enum ZlibOneShot {
    static let compress = Function(
        "compress",
        doc: """
            Returns a bytes object containing compressed data.

              data
                Binary data to be compressed.
              level
                Compression level, in 0-9 or -1.
              wbits
                The window buffer size and container format.
            """,
        [Parameter("data", .positionalOnly),
         Parameter("level", default: ZlibConstants.defaultCompression, shownAs: "Z_DEFAULT_COMPRESSION"),
         Parameter("wbits", default: ZlibConstants.maxWbits, shownAs: "MAX_WBITS")]
    ) { (py: Python, data: PyBuffer, level: Int32, wbits: Int32) throws -> [UInt8] in
        let count = data.byteCount
        if count >= Threshold.interruptible {
            return try data.detachInterruptibly(py) { span, interruption in
                try span.withUnsafeBytes { input in
                    try withProgress({ try interruption.check() }) { check in
                        try Zlib.compress(input, level: level, wbits: wbits, progress: check)
                    }
                }
            }
        }
        return try data.detach(py, if: count >= Threshold.compress) { span in
            try span.withUnsafeBytes { try Zlib.compress($0, level: level, wbits: wbits) }
        }
    }

    static let decompress = Function(
        "decompress",
        doc: """
            Returns a bytes object containing the uncompressed data.

              data
                Compressed data.
              wbits
                The window buffer size and container format.
              bufsize
                The initial output buffer size.
            """,
        [Parameter("data", .positionalOnly),
         Parameter("wbits", default: ZlibConstants.maxWbits, shownAs: "MAX_WBITS"),
         Parameter("bufsize", default: SSize(ZlibConstants.defaultBufferSize), shownAs: "DEF_BUF_SIZE")]
    ) { (py: Python, data: PyBuffer, wbits: Int32, bufsize: SSize) throws -> [UInt8] in
        let count = data.byteCount
        let bufferSize = bufsize.value
        // Output can be ~1000x the input: any detached call may run long, so all poll.
        if count >= Threshold.decompress {
            return try data.detachInterruptibly(py) { span, interruption in
                try span.withUnsafeBytes { input in
                    try withProgress({ try interruption.check() }) { check in
                        try Zlib.decompress(input, wbits: wbits, bufferSize: bufferSize, progress: check)
                    }
                }
            }
        }
        return try data.withUnsafeBytes { try Zlib.decompress($0, wbits: wbits, bufferSize: bufferSize) }
    }
}

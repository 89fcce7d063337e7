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
              engine
                'zlib' (default): byte-identical to the standard zlib module.
                'fast': ISA-L at level 1, libdeflate at levels 2-9 (a standard stream,
                at least as small as zlib's at the same level on typical data).
            """,
        [Parameter("data", .positionalOnly),
         Parameter("level", default: ZlibConstants.defaultCompression, shownAs: "Z_DEFAULT_COMPRESSION"),
         Parameter("wbits", default: ZlibConstants.maxWbits, shownAs: "MAX_WBITS"),
         Parameter("engine", .keywordOnly, default: EngineArgument.zlib)]
    ) { (py: Python, data: PyBuffer, level: Int32, wbits: Int32, engine: EngineArgument) throws -> [UInt8] in
        let count = data.byteCount
        let choice = engine.engine
        let growth = ZlibInterpreter.outputGrowth(py)
        if count >= Threshold.interruptible {
            return try data.detachInterruptibly(py) { span, interruption in
                try span.withUnsafeBytes { input in
                    try withProgress({ try interruption.check() }) { check in
                        try Zlib.compress(input, level: level, wbits: wbits, engine: choice, outputGrowth: growth,
                                          progress: check)
                    }
                }
            }
        }
        return try data.detach(py, if: count >= Threshold.compress) { span in
            try span.withUnsafeBytes {
                try Zlib.compress($0, level: level, wbits: wbits, engine: choice, outputGrowth: growth)
            }
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
    ) { (py: Python, data: PyBuffer, wbits: Int32, bufsize: SSize) throws -> PyObjectRef in
        let count = data.byteCount
        let bufferSize = bufsize.value
        if bufferSize < 0 { throw PyException.valueError(ZlibInterpreter.negativeMessage("bufsize", py)) }
        // The output lands in the result bytes object itself, written once: each step runs
        // detached (output can be ~1000x the input, so every step polls for Ctrl-C), and
        // between steps, with the GIL, the object grows (realloc: pages move, bytes don't).
        let job = try data.withUnsafeBytes { try Decompression(input: $0, wbits: wbits, bufferSize: bufferSize) }
        var output = try outputAllocation(outputBufferMemoryMessage) {
            try PyBytesBuilder(capacity: job.initialCapacity, py)
        }
        while true {
            let step = try output.detachFilling(reading: data, py, if: count >= Threshold.decompress) {
                input, memory, interruption in
                try input.withUnsafeBytes { source in
                    try memory.withUnsafeMutableBytes { target in
                        try withProgress({ try interruption.check() }) { check in
                            try job.step(source, into: target, progress: check)
                        }
                    }
                }
            }
            switch step {
            case .finished(let size): return try output.finish(count: size, py)
            case .needsCapacity(let size):
                try outputAllocation(outputBufferMemoryMessage) { try output.resize(to: size, py) }
            }
        }
    }
}

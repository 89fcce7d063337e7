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
    ) { (py: Python, data: PyBuffer, level: Int32, wbits: Int32, engine: EngineArgument) throws -> PyObjectRef in
        let choice = engine.engine
        if let written = try compressInPlace(py, data, level: level, wbits: wbits, engine: choice) {
            return written
        }
        return try compressGrowing(py, data, level: level, wbits: wbits, engine: choice).toPython(py)
    }

    /// Where the engine compresses in place (`engine="fast"`: ISA-L, libdeflate): straight
    /// into the result `bytes`, sized to the engine's bound and shrunk to the output (pages
    /// never written are never touched), with the GIL released, written once. nil when
    /// these settings do not compress in place, the bound cannot be allocated, or the
    /// stream did not fit.
    private static func compressInPlace(
        _ py: Python, _ data: PyBuffer, level: Int32, wbits: Int32, engine: CompressionEngine
    ) throws -> PyObjectRef? {
        let count = data.byteCount
        guard let capacity = Zlib.inPlaceCompressionCapacity(inputCount: count, level: level, wbits: wbits, engine: engine),
              // A bound that cannot be allocated: the growing path (it raises MemoryError
              // itself if even that fails).
              let output = try? PyBytesBuilder(capacity: capacity, py)
        else { return nil }
        let written = try output.detachFilling(reading: data, py, if: count >= Threshold.compress) {
            input, memory, interruption in
            unsafe try input.withUnsafeBytes { source in
                unsafe try memory.withUnsafeMutableBytes { target in
                    try withProgress({ try interruption.check() }) { check in
                        unsafe try Zlib.compress(source, level: level, wbits: wbits, engine: engine, into: target,
                                          progress: count >= Threshold.interruptible ? check : nil)
                    }
                }
            }
        }
        guard let written else { return nil }
        return try output.finish(count: written, py)
    }

    /// The growing path: Swift arrays, then one copy into the result.
    private static func compressGrowing(
        _ py: Python, _ data: PyBuffer, level: Int32, wbits: Int32, engine choice: CompressionEngine
    ) throws -> [UInt8] {
        let count = data.byteCount
        let growth = ZlibInterpreter.outputGrowth(py)
        if count >= Threshold.interruptible {
            return try data.detachInterruptibly(py) { span, interruption in
                unsafe try span.withUnsafeBytes { input in
                    try withProgress({ try interruption.check() }) { check in
                        unsafe try Zlib.compress(input, level: level, wbits: wbits, engine: choice, outputGrowth: growth,
                                          progress: check)
                    }
                }
            }
        }
        return try data.detach(py, if: count >= Threshold.compress) { span in
            unsafe try span.withUnsafeBytes {
                unsafe try Zlib.compress($0, level: level, wbits: wbits, engine: choice, outputGrowth: growth)
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
        let job = unsafe try data.withUnsafeBytes { unsafe try Decompression(input: $0, wbits: wbits, bufferSize: bufferSize) }
        var output = try outputAllocation(outputBufferMemoryMessage) {
            try PyBytesBuilder(capacity: job.initialCapacity, py)
        }
        while true {
            let step = try output.detachFilling(reading: data, py, if: count >= Threshold.decompress) {
                input, memory, interruption in
                unsafe try input.withUnsafeBytes { source in
                    unsafe try memory.withUnsafeMutableBytes { target in
                        try withProgress({ try interruption.check() }) { check in
                            unsafe try job.step(source, into: target, progress: check)
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

import SwiftPy
import Zlib

/// A `swiftpy.zlib.Compress` instance: a ``Deflater`` (internally locked, so one object
/// may be shared by threads; calls are serialised as in CPython).
final class CompressObject: PythonClass, Sendable {
    let deflater: Deflater
    let calls = StreamCalls()
    init(_ deflater: Deflater) { self.deflater = deflater }

    func copy(_ py: Python) throws -> CompressObject {
        let deflater = self.deflater
        return CompressObject(try calls.run(py, large: false) { try deflater.copy() })
    }
}

enum ZlibCompressObject {
    static let compressobj = Function(
        "compressobj",
        doc: """
            Return a compressor object.

              level
                The compression level (an integer in the range 0-9 or -1; default is
                currently equivalent to 6).  Higher compression levels are slower,
                but produce smaller results.
              method
                The compression algorithm.  If given, this must be DEFLATED.
              wbits
                +9 to +15: The base-two logarithm of the window size.  Include a zlib
                    container.
                -9 to -15: Generate a raw stream.
                +25 to +31: Include a gzip container.
              memLevel
                Controls the amount of memory used for internal compression state.
                Valid values range from 1 to 9.  Higher values result in higher memory
                usage, faster compression, and smaller output.
              strategy
                Used to tune the compression algorithm.  Possible values are
                Z_DEFAULT_STRATEGY, Z_FILTERED, and Z_HUFFMAN_ONLY.
              zdict
                The predefined compression dictionary - a sequence of bytes
                containing subsequences that are likely to occur in the input data.
              engine
                'zlib' (default): byte-identical to the standard zlib module.
                'fast': ISA-L at level 1 with a full window, the default memLevel and
                strategy and no zdict (a standard stream, smaller than zlib's on typical
                data); every other setting runs zlib (libdeflate cannot stream).
            """,
        [Parameter("level", default: ZlibConstants.defaultCompression, shownAs: "Z_DEFAULT_COMPRESSION"),
         Parameter("method", default: ZlibConstants.deflated, shownAs: "DEFLATED"),
         Parameter("wbits", default: ZlibConstants.maxWbits, shownAs: "MAX_WBITS"),
         Parameter("memLevel", default: ZlibConstants.defaultMemLevel, shownAs: "DEF_MEM_LEVEL"),
         Parameter("strategy", default: ZlibConstants.defaultStrategy, shownAs: "Z_DEFAULT_STRATEGY"),
         Parameter("zdict", default: CompressDictionary.absent),
         Parameter("engine", .keywordOnly, default: EngineArgument.zlib)]
    ) { (py: Python, level: Int32, method: Int32, wbits: Int32, memLevel: Int32, strategy: Int32,
         zdict: CompressDictionary, engine: EngineArgument) throws -> CompressObject in
        let growth = ZlibInterpreter.outputGrowth(py)
        // Creating the stream allocates ~256 KiB and clears part of it: a few µs, GIL held.
        guard let dictionary = zdict.bytes else {
            return unsafe CompressObject(try Deflater(level: level, method: method, wbits: wbits, memLevel: memLevel,
                                               strategy: strategy, outputGrowth: growth, engine: engine.engine))
        }
        return CompressObject(try Deflater(level: level, method: method, wbits: wbits, memLevel: memLevel,
                                           strategy: strategy, zdict: dictionary, outputGrowth: growth,
                                           engine: engine.engine))
    }

    static let type = TypeDefinition(
        CompressObject.self, name: "Compress", doc: "A compressor object returned by compressobj().",
        methods: [
            Method("compress", doc: """
                Returns a bytes object containing compressed data.

                  data
                    Binary data to be compressed.

                After calling this function, some of the input data may still
                be stored in internal buffers for later processing.
                Call the flush() method to clear these buffers.
                """, [Parameter("data", .positionalOnly)]) {
                (py: Python, this: CompressObject, data: PyBuffer) throws -> [UInt8] in
                let deflater = this.deflater
                return unsafe try this.calls.runInterruptibly(py, data, threshold: Threshold.stream) {
                    unsafe try deflater.compress($0, progress: $1)
                }
            },
            Method("flush", doc: """
                Return a bytes object containing any remaining compressed data.

                  mode
                    One of the constants Z_SYNC_FLUSH, Z_FULL_FLUSH, Z_FINISH.
                    If mode == Z_FINISH, the compressor object can no longer be
                    used after calling the flush() method.  Otherwise, more data
                    can still be compressed.
                """, [Parameter("mode", .positionalOnly, default: FlushMode.finish.rawValue)]) {
                (py: Python, this: CompressObject, mode: Int32) throws -> [UInt8] in
                let deflater = this.deflater
                // The pending input (up to a window's worth) is compressed now: detach.
                return try this.calls.runInterruptibly(py, large: mode != FlushMode.noFlush.rawValue) {
                    try deflater.flush(FlushMode(rawValue: mode), progress: $0)
                }
            },
            Method("copy", doc: "Return a copy of the compression object.") {
                (py: Python, this: CompressObject) throws -> CompressObject in try this.copy(py)
            },
            Method("__copy__", doc: "Return a copy of the compression object.") {
                (py: Python, this: CompressObject) throws -> CompressObject in try this.copy(py)
            },
            Method("__deepcopy__", doc: "Return a copy of the compression object.", [Parameter("memo", .positionalOnly)]) {
                (py: Python, this: CompressObject, _: PyBorrowedRef) throws -> CompressObject in try this.copy(py)
            },
        ] + ZlibPickling.methods(CompressObject.self, qualifiedName: "swiftpy.zlib.Compress"))
}

import CZlib
import Synchronization

/// A streaming compressor, the engine of CPython's `zlib.compressobj()` / `Compress` type:
/// zlib's stream, or ISA-L's for `engine: .fast` at level 1 (``IsalStreamDeflater``).
///
/// Thread safety: each engine keeps its state inside a `Mutex` and holds it for the whole
/// call, like CPython's per-object `ENTER_ZLIB` lock. The class is therefore genuinely
/// `Sendable` (checked by the compiler, no `@unchecked`): several threads may call it, and
/// calls are serialised. A caller that holds another lock which a concurrent call might
/// need (the GIL) should call while not holding it (detached), or a second thread would
/// block on this object's lock with the GIL held. No method calls back into the caller
/// while holding the lock.
public final class Deflater: Sendable {
    private let engine: any DeflateStream

    private init(engine: any DeflateStream) { self.engine = engine }

    /// Creates a compressor (CPython's `zlib.compressobj(level, method, wbits, memLevel,
    /// strategy, zdict)`).
    ///
    /// - Parameter engine: `.fast` runs ISA-L at level 1 with a full window, the default
    ///   `memLevel` and `strategy` and no `zdict` (a standard stream, not byte-identical
    ///   to zlib's); every other combination, and `.zlib`, runs zlib. libdeflate, which
    ///   serves `compress(engine: .fast)` at levels 2-9, cannot stream.
    /// - Throws: ``ZlibError``: "Invalid initialization option" (`ValueError`) for bad
    ///   parameters, "Invalid dictionary" when zlib rejects `zdict`, an `OverflowError`-kind
    ///   error for a zdict over 4 GiB, or a `MemoryError`-kind error.
    /// The corresponding C functions are `deflateInit2_` and `deflateSetDictionary`.
    public convenience init(
        level: Int32 = -1, method: Int32 = 8, wbits: Int32 = 15, memLevel: Int32 = 8,
        strategy: Int32 = 0, zdict: UnsafeRawBufferPointer? = nil, outputGrowth: OutputGrowth = .cpython310,
        engine: CompressionEngine = .zlib
    ) throws {
        if let zdict = unsafe zdict, zdict.count > Int(UInt32.max) { throw ZlibError.zdictTooLong }
        unsafe try self.init(level: level, method: method, wbits: wbits, memLevel: memLevel, strategy: strategy,
                      dictionary: zdict.map { unsafe Array($0) }, outputGrowth: outputGrowth, engine: engine)
    }

    /// Creates a compressor with an array dictionary.
    public convenience init(
        level: Int32 = -1, method: Int32 = 8, wbits: Int32 = 15, memLevel: Int32 = 8,
        strategy: Int32 = 0, zdict: [UInt8], outputGrowth: OutputGrowth = .cpython310,
        engine: CompressionEngine = .zlib
    ) throws {
        try self.init(level: level, method: method, wbits: wbits, memLevel: memLevel, strategy: strategy,
                      dictionary: zdict, outputGrowth: outputGrowth, engine: engine)
    }

    private convenience init(
        level: Int32, method: Int32, wbits: Int32, memLevel: Int32, strategy: Int32, dictionary: [UInt8]?,
        outputGrowth: OutputGrowth, engine: CompressionEngine
    ) throws {
        if engine == .fast, method == Z_DEFLATED, memLevel == ZlibConstants.defaultMemLevel,
           strategy == Z_DEFAULT_STRATEGY, dictionary == nil,
           FastCompressionPlan(level: level, wbits: wbits) == .isal
        {
            self.init(engine: try IsalStreamDeflater(format: FastFormat(wbits: wbits)))
            return
        }
        self.init(engine: try ZlibDeflateStream(
            level: level, method: method, wbits: wbits, memLevel: memLevel, strategy: strategy,
            dictionary: dictionary, outputGrowth: outputGrowth))
    }

    /// Compresses `input` and returns what the engine has produced so far (maybe nothing).
    /// CPython's `Compress.compress(data)`.
    ///
    /// - Throws: ``ZlibError`` "Error -2 while compressing data: inconsistent stream state"
    ///   after the stream was finished.
    /// The corresponding C function is `deflate` with `Z_NO_FLUSH`.
    ///
    /// - Parameter progress: called between ~256 KiB pieces of work (on this thread) so the
    ///   caller can check for Ctrl-C; what it throws is rethrown (the input consumed so far
    ///   stays in the stream, as after any interrupted CPython call).
    public func compress(_ input: UnsafeRawBufferPointer, progress: (() throws -> Void)? = nil) throws -> [UInt8] {
        unsafe try engine.compress(input, progress: progress)
    }

    /// `compress` for an array.
    public func compress(_ input: [UInt8], progress: (() throws -> Void)? = nil) throws -> [UInt8] {
        unsafe try input.withUnsafeBytes { unsafe try compress($0, progress: progress) }
    }

    /// Flushes pending output with `mode` (CPython's `Compress.flush(mode)`): `.noFlush`
    /// returns nothing, `.finish` ends the stream and frees the engine's state (the object
    /// can no longer compress or be copied), the others emit everything so far and keep
    /// going.
    ///
    /// - Throws: ``ZlibError`` "Error -2 while flushing: inconsistent stream state" for an
    ///   unknown mode or an already finished stream.
    /// The corresponding C functions are `deflate` and `deflateEnd`.
    public func flush(_ mode: FlushMode = .finish, progress: (() throws -> Void)? = nil) throws -> [UInt8] {
        if mode == .noFlush { return [] }
        return try engine.flush(mode, progress: progress)
    }

    /// An independent copy of the compressor's current state (CPython's `Compress.copy()`).
    ///
    /// - Throws: "Inconsistent stream state" (`ValueError`) once the stream was finished.
    /// The corresponding C function is `deflateCopy`.
    public func copy() throws -> Deflater {
        Deflater(engine: try engine.copy())
    }

    /// Whether the stream is still usable (not yet finished with `.finish`).
    public var isActive: Bool { engine.isActive }

    /// Which engine runs the stream.
    public var isFast: Bool { engine is IsalStreamDeflater }
}

/// What ``Deflater`` asks of an engine; see its methods.
protocol DeflateStream: Sendable {
    func compress(_ input: UnsafeRawBufferPointer, progress: (() throws -> Void)?) throws -> [UInt8]
    /// Never `.noFlush` (the ``Deflater`` answers that).
    func flush(_ mode: FlushMode, progress: (() throws -> Void)?) throws -> [UInt8]
    func copy() throws -> any DeflateStream
    var isActive: Bool { get }
}

extension IsalStreamDeflater: DeflateStream {
    func copy() throws -> any DeflateStream { try copyStream() }
}

/// zlib's stream (CPython's own engine): byte-identical to CPython's `Compress`.
final class ZlibDeflateStream: DeflateStream {
    private struct State: ~Copyable {
        var stream: ZStream
        /// CPython's output buffer sizes, which shape level-0 (stored) streams.
        var growth: OutputGrowth = .cpython310
        /// Level 0: stored blocks end where input or output space does, so progress
        /// pieces (which would cut both) are off; storing runs at memory speed.
        var stored = false
    }

    private let state: Mutex<State>

    private init(state: consuming sending State) {
        self.state = Mutex(state)
    }

    init(
        level: Int32, method: Int32, wbits: Int32, memLevel: Int32, strategy: Int32, dictionary zdict: [UInt8]?,
        outputGrowth: OutputGrowth
    ) throws {
        if let zdict, zdict.count > Int(UInt32.max) { throw ZlibError.zdictTooLong }
        var stream = ZStream(kind: .deflate)
        let code = stream.initDeflate(level: level, method: method, wbits: wbits, memLevel: memLevel, strategy: strategy)
        switch code {
        case Z_OK: break
        case Z_MEM_ERROR: throw ZlibError.outOfMemory("Can't allocate memory for compression object")
        case Z_STREAM_ERROR: throw ZlibError.invalidInitializationOption
        default: throw stream.error(code, .creatingCompressor)
        }
        if let zdict {
            let err = unsafe zdict.withUnsafeBytes { bytes in
                // SAFETY: zlib copies the dictionary into its window before returning.
                unsafe deflateSetDictionary(
                    stream.pointer, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), UInt32(bytes.count))
            }
            switch err {
            case Z_OK: break
            case Z_STREAM_ERROR: throw ZlibError(kind: .invalidArgument, code: err, message: "Invalid dictionary")
            default: throw ZlibError(kind: .invalidArgument, code: err, message: "deflateSetDictionary()")
            }
        }
        self.state = Mutex(State(stream: stream, growth: outputGrowth, stored: level == 0))
    }

    func compress(_ input: UnsafeRawBufferPointer, progress: (() throws -> Void)?) throws -> [UInt8] {
        try state.withLock { state throws -> [UInt8] in
            let s = unsafe state.stream.pointer
            var ticker = ProgressTicker(state.stored ? nil : progress)
            let feeder = unsafe InputFeeder(input, pieceLimit: ticker.pieceLimit)
            unsafe feeder.start(s)
            defer { unsafe InputFeeder.clear(s) }
            var output = OutputCollector(growth: state.growth, pieceLimit: ticker.pieceLimit)
            do {
                _ = unsafe try output.fill(s) {
                    while true {
                        let err = unsafe deflate(s, Z_NO_FLUSH)
                        if err == Z_STREAM_ERROR { throw unsafe streamError(s, err, .compressing) }
                        unsafe try ticker.tick(s)
                        if unsafe s.pointee.avail_out == 0 { return true }
                        if unsafe feeder.remaining(s) == 0 { return false }
                        unsafe feeder.feed(s)
                    }
                }
            } catch {
                throw state.stream.endingIfInterrupted(by: error)
            }
            return try output.finish()
        }
    }

    func flush(_ mode: FlushMode, progress: (() throws -> Void)?) throws -> [UInt8] {
        try state.withLock { state throws -> [UInt8] in
            let s = unsafe state.stream.pointer
            unsafe InputFeeder.clear(s)
            var err = Z_OK
            var ticker = ProgressTicker(state.stored ? nil : progress)
            var output = OutputCollector(growth: state.growth, pieceLimit: ticker.pieceLimit)
            do {
                _ = unsafe try output.fill(s) {
                    err = unsafe deflate(s, mode.rawValue)
                    if err == Z_STREAM_ERROR { throw unsafe streamError(s, err, .flushing) }
                    unsafe try ticker.tick(s)
                    return unsafe s.pointee.avail_out == 0
                }
            } catch {
                throw state.stream.endingIfInterrupted(by: error)
            }
            if err == Z_STREAM_END && mode == .finish {
                let end = state.stream.end()
                if end != Z_OK { throw state.stream.error(end, .finishingCompression) }
            } else if err != Z_OK && err != Z_BUF_ERROR {
                throw unsafe streamError(s, err, .flushing)
            }
            return try output.finish()
        }
    }

    func copy() throws -> any DeflateStream {
        try state.withLock { state throws -> any DeflateStream in
            guard state.stream.isInitialised else { throw ZlibError.inconsistentStreamState }
            var clone = ZStream(kind: .deflate)
            let code = clone.copy(from: state.stream)
            switch code {
            case Z_OK: break
            case Z_STREAM_ERROR: throw ZlibError.inconsistentStreamState
            case Z_MEM_ERROR: throw ZlibError.outOfMemory("Can't allocate memory for compression object")
            default: throw state.stream.error(code, .copyingCompressor)
            }
            return ZlibDeflateStream(state: State(stream: clone, growth: state.growth, stored: state.stored))
        }
    }

    var isActive: Bool {
        state.withLock { $0.stream.isInitialised }
    }
}

import CZlib
import Synchronization

/// Which CPython release's `Decompress` bookkeeping an ``Inflater`` reproduces where
/// releases differ (so a drop-in behaves as the stdlib of the interpreter it runs in).
public enum InflaterSemantics: Sendable, Equatable {
    /// CPython 3.9 to 3.13: `flush()` swallows stream errors (returning the output so
    /// far), and input after the end of the stream stays in `unconsumed_tail` too when a
    /// tail was pending.
    case cpython39
    /// CPython 3.14 and later: `flush()` raises stream errors ("Error -3 while
    /// decompressing data: ..."), and input after the end goes to `unused_data` only.
    case cpython314
}

/// A streaming decompressor, the engine of CPython's `zlib.decompressobj()` / `Decompress`
/// type, including its `unused_data`, `unconsumed_tail` and `eof` bookkeeping.
///
/// Thread safety: as ``Deflater``, all state lives inside a `Mutex` held for the whole of
/// each call (CPython's `ENTER_ZLIB`), so the class is checked `Sendable`. Call it while not
/// holding locks (such as the GIL) that another caller of the same object may hold while
/// waiting for it.
public final class Inflater: Sendable {
    private struct State: ~Copyable {
        var stream: ZStream
        /// A private copy of the dictionary, used when zlib asks for it (`Z_NEED_DICT`).
        var zdict: [UInt8]?
        var eof = false
        var unusedData: [UInt8] = []
        var unconsumedTail: [UInt8] = []
        var semantics: InflaterSemantics = .cpython39
        /// A call was interrupted and ended the stream (``ZStream/endingIfInterrupted(by:)``):
        /// `flush` raises too, where a stream a previous flush ended returns `b''`.
        var interrupted = false
    }

    private let state: Mutex<State>

    private init(state: consuming sending State) {
        self.state = Mutex(state)
    }

    /// Creates a decompressor (CPython's `zlib.decompressobj(wbits, zdict)`).
    ///
    /// `zdict` is copied. With a raw stream (negative `wbits`) it is installed now, because
    /// raw deflate has no header to ask for it; otherwise it is installed when zlib reports
    /// `Z_NEED_DICT`, as CPython does.
    ///
    /// - Throws: ``ZlibError``: "Invalid initialization option" (`ValueError`) for bad wbits,
    ///   "Error -2 while setting zdict: ..." when zlib rejects the dictionary, an
    ///   `OverflowError`-kind error for a zdict over 4 GiB, or a `MemoryError`-kind error.
    /// The corresponding C functions are `inflateInit2_` and `inflateSetDictionary`.
    public convenience init(
        wbits: Int32 = 15, zdict: UnsafeRawBufferPointer? = nil, semantics: InflaterSemantics = .cpython39
    ) throws {
        unsafe try self.init(wbits: wbits, dictionary: zdict.map { unsafe Array($0) }, semantics: semantics)
    }

    /// Creates a decompressor with an array dictionary.
    public convenience init(wbits: Int32 = 15, zdict: [UInt8], semantics: InflaterSemantics = .cpython39) throws {
        try self.init(wbits: wbits, dictionary: zdict, semantics: semantics)
    }

    private init(wbits: Int32, dictionary zdict: [UInt8]?, semantics: InflaterSemantics) throws {
        var state = State(stream: ZStream(kind: .inflate), zdict: zdict, semantics: semantics)
        try state.stream.initDecompressor(wbits: wbits)
        if let zdict, wbits < 0 { try state.stream.setInflateDictionary(zdict) }
        self.state = Mutex(state)
    }

    /// The inflate loop `decompress` and `flush` share: feeds input piece by piece and
    /// supplies the dictionary when zlib asks, until the output is full (returns true) or
    /// the stream or the input ends, or zlib reports an error (false; the code is in `err`).
    /// `mode` picks the flush mode from the input still to feed.
    private static func inflateUntilFull(
        _ s: UnsafeMutablePointer<z_stream>, _ feeder: InputFeeder, _ state: inout State, _ err: inout Int32,
        _ ticker: inout ProgressTicker, mode: (Int) -> Int32
    ) throws -> Bool {
        while true {
            err = unsafe inflate(s, mode(feeder.remaining(s)))
            switch err {
            case Z_OK, Z_BUF_ERROR, Z_STREAM_END: break
            case Z_NEED_DICT:
                guard let zdict = state.zdict else { return false }
                try state.stream.setInflateDictionary(zdict)
                continue
            default: return false
            }
            unsafe try ticker.tick(s)
            if unsafe s.pointee.avail_out == 0 { return true }
            if unsafe err == Z_STREAM_END || feeder.remaining(s) == 0 || s.pointee.avail_in != 0 { return false }
            unsafe feeder.feed(s)
        }
    }

    /// ``ZStream/endingIfInterrupted(by:)``, remembered for `flush`.
    private static func endingIfInterrupted(_ state: inout State, by error: any Error) -> any Error {
        let wasInitialised = state.stream.isInitialised
        let error = state.stream.endingIfInterrupted(by: error)
        if wasInitialised && !state.stream.isInitialised { state.interrupted = true }
        return error
    }

    /// Whether the end of the compressed stream was reached (CPython's `eof`).
    public var eof: Bool { state.withLock { $0.eof } }

    /// Bytes that followed the end of the compressed stream (CPython's `unused_data`).
    public var unusedData: [UInt8] { state.withLock { $0.unusedData } }

    /// Input not consumed because `maxLength` stopped the last `decompress` call (CPython's
    /// `unconsumed_tail`); pass it back in (or call `flush`) to continue.
    public var unconsumedTail: [UInt8] { state.withLock { $0.unconsumedTail } }

    /// Decompresses as much of `input` as possible (CPython's `Decompress.decompress(data,
    /// max_length)`).
    ///
    /// - Parameter maxLength: 0 for unlimited; otherwise at most this many bytes are
    ///   returned and the input left over is kept in ``unconsumedTail``.
    /// - Throws: ``ZlibError`` such as "Error -3 while decompressing data: invalid stored
    ///   block lengths"; "max_length must be non-negative" (`ValueError`).
    /// The corresponding C function is `inflate` with `Z_SYNC_FLUSH`.
    ///
    /// - Parameter progress: called between ~256 KiB pieces of work so the caller can check
    ///   for Ctrl-C; what it throws is rethrown.
    public func decompress(
        _ input: UnsafeRawBufferPointer, maxLength: Int = 0, progress: (() throws -> Void)? = nil
    ) throws -> [UInt8] {
        unsafe try decompressedChunks(input, maxLength: maxLength, progress: progress).joined()
    }

    /// ``decompress(_:maxLength:progress:)`` as the chunks it was written in (see
    /// ``OutputChunks``): Python's `Decompress.decompress` copies them into its result once.
    public func decompressedChunks(
        _ input: UnsafeRawBufferPointer, maxLength: Int = 0, progress: (() throws -> Void)? = nil
    ) throws -> OutputChunks {
        guard maxLength >= 0 else { throw ZlibError.invalidArgument("max_length must be non-negative") }
        let limit = maxLength == 0 ? Int.max : maxLength
        return try state.withLock { state throws -> OutputChunks in
            let s = unsafe state.stream.pointer
            var ticker = ProgressTicker(progress)
            let feeder = unsafe InputFeeder(input, pieceLimit: ticker.pieceLimit)
            unsafe feeder.start(s)
            defer { unsafe InputFeeder.clear(s) }
            var output = OutputCollector(growth: .cpython310, limit: limit, pieceLimit: ticker.pieceLimit)
            var err = Z_OK
            do {
                _ = unsafe try output.fill(s) {
                    unsafe try Self.inflateUntilFull(s, feeder, &state, &err, &ticker) { _ in Z_SYNC_FLUSH }
                }
            } catch {
                throw Self.endingIfInterrupted(&state, by: error)
            }
            unsafe try Self.saveUnconsumedInput(&state, input, consumed: feeder.consumed(s), err: err)
            if err == Z_STREAM_END {
                // Like CPython, inflateEnd waits for flush().
                state.eof = true
            } else if err != Z_OK && err != Z_BUF_ERROR {
                throw state.stream.error(err, .decompressing)
            }
            return output.finishChunks()
        }
    }

    /// `decompress` for an array.
    public func decompress(_ input: [UInt8], maxLength: Int = 0, progress: (() throws -> Void)? = nil) throws -> [UInt8] {
        unsafe try input.withUnsafeBytes { unsafe try decompress($0, maxLength: maxLength, progress: progress) }
    }

    /// Decompresses what is left, including ``unconsumedTail`` (CPython's
    /// `Decompress.flush(length)`). At the end of the stream zlib's state is freed; errors
    /// other than from that are not reported (as in CPython), the output so far is returned.
    ///
    /// - Parameter length: the initial output size; must be positive ("length must be
    ///   greater than zero", `ValueError`).
    /// The corresponding C functions are `inflate` with `Z_FINISH` and `inflateEnd`.
    public func flush(length: Int = ZlibConstants.defaultBufferSize, progress: (() throws -> Void)? = nil) throws -> [UInt8] {
        try flushedChunks(length: length, progress: progress).joined()
    }

    /// ``flush(length:progress:)`` as the chunks it was written in, as
    /// ``decompressedChunks(_:maxLength:progress:)``.
    public func flushedChunks(length: Int = ZlibConstants.defaultBufferSize, progress: (() throws -> Void)? = nil) throws
        -> OutputChunks
    {
        guard length > 0 else { throw ZlibError.invalidArgument("length must be greater than zero") }
        return try state.withLock { state throws -> OutputChunks in
            // A stream a previous flush ended has nothing more to give (CPython returns
            // b'' again; inflating the freed state would be a stream error).
            guard state.stream.isInitialised else {
                if state.interrupted { throw state.stream.error(Z_STREAM_ERROR, .flushing) }
                return OutputChunks(chunks: [], count: 0)
            }
            let tail = state.unconsumedTail
            return unsafe try tail.withUnsafeBytes { input throws -> OutputChunks in
                let s = unsafe state.stream.pointer
                var ticker = ProgressTicker(progress)
                let feeder = unsafe InputFeeder(input, pieceLimit: ticker.pieceLimit)
                unsafe feeder.start(s)
                defer { unsafe InputFeeder.clear(s) }
                var output = OutputCollector(initialCapacity: length, pieceLimit: ticker.pieceLimit)
                var err = Z_OK
                do {
                    _ = unsafe try output.fill(s) {
                        unsafe try Self.inflateUntilFull(s, feeder, &state, &err, &ticker) { $0 == 0 ? Z_FINISH : Z_NO_FLUSH }
                    }
                } catch {
                    throw Self.endingIfInterrupted(&state, by: error)
                }
                unsafe try Self.saveUnconsumedInput(&state, input, consumed: feeder.consumed(s), err: err)
                if err == Z_STREAM_END {
                    state.eof = true
                    let end = state.stream.end()
                    if end != Z_OK { throw state.stream.error(end, .finishingDecompression) }
                } else if state.semantics == .cpython314 && err != Z_OK && err != Z_BUF_ERROR {
                    throw state.stream.error(err, .decompressing)
                }
                return output.finishChunks()
            }
        }
    }

    /// CPython's `save_unconsumed_input`: input after the end of the stream is appended to
    /// `unusedData`; input left over because output stopped becomes `unconsumedTail`, which
    /// is otherwise cleared if it was set.
    private static func saveUnconsumedInput(
        _ state: inout State, _ input: UnsafeRawBufferPointer, consumed: Int, err: Int32
    ) throws(ZlibError) {
        let leftover = unsafe UnsafeRawBufferPointer(rebasing: input[min(consumed, input.count)...])
        try ensureAllocatable(state.unusedData.count + leftover.count)
        var hasLeftover = unsafe !leftover.isEmpty
        if err == Z_STREAM_END && hasLeftover {
            unsafe state.unusedData.append(contentsOf: leftover)
            hasLeftover = false
        }
        if hasLeftover || !state.unconsumedTail.isEmpty {
            // CPython before 3.14 slices from next_in here even when the bytes went to
            // unused_data; 3.14 leaves them out of unconsumed_tail.
            let endedHere = err == Z_STREAM_END && state.semantics == .cpython314
            state.unconsumedTail = unsafe endedHere ? [] : Array(leftover)
        }
    }

    /// An independent copy of the decompressor (CPython's `Decompress.copy()`).
    ///
    /// - Throws: "Inconsistent stream state" (`ValueError`) after `flush` ended the stream.
    /// The corresponding C function is `inflateCopy`.
    public func copy() throws -> Inflater {
        try state.withLock { state throws -> Inflater in
            guard state.stream.isInitialised else { throw ZlibError.inconsistentStreamState }
            var clone = ZStream(kind: .inflate)
            let code = clone.copy(from: state.stream)
            switch code {
            case Z_OK: break
            case Z_STREAM_ERROR: throw ZlibError.inconsistentStreamState
            case Z_MEM_ERROR: throw ZlibError.outOfMemory("Can't allocate memory for decompression object")
            default: throw state.stream.error(code, .copyingDecompressor)
            }
            return Inflater(state: State(
                stream: clone, zdict: state.zdict, eof: state.eof,
                unusedData: state.unusedData, unconsumedTail: state.unconsumedTail, semantics: state.semantics))
        }
    }
}

import CZlib
import Synchronization

/// A decompressor that keeps the input it has not consumed yet itself: the engine of
/// CPython 3.12+'s `zlib._ZlibDecompressor` (the one `gzip` reads files with), which
/// follows `bz2.BZ2Decompressor`'s interface: `needsInput`, `eof`, `unusedData`, and an
/// `EOFError` after the end of the stream.
///
/// Thread safety: as ``Inflater``, all state lives in a `Mutex` held for each whole call.
public final class BufferedInflater: Sendable {
    private struct State: ~Copyable {
        var stream: ZStream
        var zdict: [UInt8]?
        var eof = false
        var needsInput = true
        var unusedData: [UInt8] = []
        /// Input given earlier and not consumed yet (CPython's `input_buffer`).
        var pending: [UInt8] = []
    }

    private let state: Mutex<State>

    /// Creates a decompressor (CPython's `zlib._ZlibDecompressor(wbits, zdict)`).
    ///
    /// - Throws: ``ZlibError`` as ``Inflater/init(wbits:zdict:semantics:)-(_,[UInt8],_)``.
    /// The corresponding C functions are `inflateInit2_` and `inflateSetDictionary`.
    public init(wbits: Int32 = 15, zdict: [UInt8]? = nil) throws {
        var stream = ZStream(kind: .inflate)
        try stream.initDecompressor(wbits: wbits)
        if let zdict, wbits < 0 { try stream.setInflateDictionary(zdict) }
        self.state = Mutex(State(stream: stream, zdict: zdict))
    }

    /// Whether the end of the compressed stream was reached (CPython's `eof`).
    public var eof: Bool { state.withLock { $0.eof } }
    /// False when output is pending that `decompress(b"")` would return, or the stream has
    /// ended (CPython's `needs_input`).
    public var needsInput: Bool { state.withLock { $0.needsInput } }
    /// Bytes after the end of the stream (CPython's `unused_data`).
    public var unusedData: [UInt8] { state.withLock { $0.unusedData } }

    /// Decompresses what was left over plus `input`, returning at most `maxLength` bytes
    /// (unlimited when negative). CPython's `_ZlibDecompressor.decompress(data, max_length)`.
    ///
    /// - Throws: ``ZlibError``: "End of stream already reached" (`EOFError`) after the
    ///   end; zlib's errors "while decompressing data" (the pending input is dropped, as in
    ///   CPython); or whatever `progress` throws.
    /// The corresponding C function is `inflate` with `Z_SYNC_FLUSH`.
    public func decompress(
        _ input: UnsafeRawBufferPointer, maxLength: Int = -1, progress: (() throws -> Void)? = nil
    ) throws -> [UInt8] {
        unsafe try decompressedChunks(input, maxLength: maxLength, progress: progress)
            .joined(memoryMessage: Self.memoryMessage)
    }

    /// ``decompress(_:maxLength:progress:)`` as the chunks it was written in (see
    /// ``OutputChunks``): Python copies them into its result once.
    public func decompressedChunks(
        _ input: UnsafeRawBufferPointer, maxLength: Int = -1, progress: (() throws -> Void)? = nil
    ) throws -> OutputChunks {
        try state.withLock { state throws -> OutputChunks in
            if state.eof { throw ZlibError.endOfStreamReached }
            if state.pending.isEmpty {
                return unsafe try Self.run(&state, input, maxLength: maxLength, progress: progress)
            }
            try ensureAllocatable(state.pending.count + input.count, Self.memoryMessage)
            var joined = state.pending
            unsafe joined.append(contentsOf: input)
            state.pending = []
            return unsafe try joined.withUnsafeBytes { unsafe try Self.run(&state, $0, maxLength: maxLength, progress: progress) }
        }
    }

    /// CPython's _ZlibDecompressor grows one bytes object, with its own message.
    private static let memoryMessage = "Insufficient memory for buffer allocation"

    /// One call's inflate loop over `input`, then CPython's bookkeeping of what is left.
    private static func run(
        _ state: inout State, _ input: UnsafeRawBufferPointer, maxLength: Int, progress: (() throws -> Void)?
    ) throws -> OutputChunks {
        let s = unsafe state.stream.pointer
        var ticker = ProgressTicker(progress)
        let feeder = unsafe InputFeeder(input, pieceLimit: ticker.pieceLimit)
        unsafe feeder.start(s)
        defer { unsafe InputFeeder.clear(s) }
        let limit = maxLength < 0 ? Int.max : maxLength
        var err = Z_OK
        var output = OutputCollector(
            initialCapacity: limit == Int.max ? ZlibConstants.defaultBufferSize : min(limit, 16 << 20),
            limit: limit, pieceLimit: ticker.pieceLimit)
        output.memoryMessage = memoryMessage
        do {
            if limit == 0 {
                // CPython still calls inflate once with no room: headers are consumed.
                var byte: UInt8 = 0
                unsafe withUnsafeMutablePointer(to: &byte) { spare in
                    // SAFETY: avail_out is 0, so zlib never writes through next_out; it
                    // only must not be NULL. Cleared before `byte` goes out of scope.
                    unsafe s.pointee.next_out = unsafe spare
                    unsafe s.pointee.avail_out = 0
                    err = unsafe inflate(s, Z_SYNC_FLUSH)
                    unsafe s.pointee.next_out = nil
                }
                if err == Z_NEED_DICT, let zdict = state.zdict {
                    try state.stream.setInflateDictionary(zdict)
                    err = Z_OK
                }
            } else {
                _ = unsafe try output.fill(s) {
                    while true {
                        err = unsafe inflate(s, Z_SYNC_FLUSH)
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
            }
            if err == Z_STREAM_END {
                state.eof = true
                let end = state.stream.end()
                if end != Z_OK { throw state.stream.error(end, .finishingDecompression) }
            } else if err != Z_OK && err != Z_BUF_ERROR {
                throw state.stream.error(err, .decompressing)
            }
        } catch {
            state.pending = []
            throw state.stream.endingIfInterrupted(by: error)
        }
        let leftover = unsafe UnsafeRawBufferPointer(rebasing: input[min(feeder.consumed(s), input.count)...])
        if state.eof {
            state.needsInput = false
            if unsafe !leftover.isEmpty { state.unusedData = unsafe Array(leftover) }
        } else if unsafe leftover.isEmpty {
            state.needsInput = true
        } else {
            state.needsInput = false
            try ensureAllocatable(leftover.count)
            state.pending = unsafe Array(leftover)
        }
        return output.finishChunks()
    }
}

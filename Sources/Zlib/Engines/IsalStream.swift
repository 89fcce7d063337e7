import CZlib
import Synchronization

/// `compressobj(level=1, engine="fast")`'s engine: ISA-L level 1 as a stream, behind the
/// same calls as zlib's (``Deflater``).
///
/// ISA-L writes raw deflate; the container (zlib or gzip header, Adler-32 or CRC-32 and
/// length trailer) is written here, with the checksums of the fast engines. That keeps
/// the checksum outside ISA-L's state, which is what lets ``copy()`` work: ISA-L's level
/// buffer holds pointers into itself (its private layout), so a stream cannot be cloned
/// byte for byte. Instead the original ends its current block with a sync flush (kept
/// for both streams' next output) and the copy starts a fresh ISA-L stream whose window
/// is primed with the last 32 KiB of input: both continue from the same byte-aligned
/// point with the same history, so each yields a standard stream, at the cost of a few
/// bytes per copy.
///
/// The header is written the way zlib writes it at level 1 (zlib: `78 01`; gzip: no name
/// or time, XFL 4, OS 3), so only the deflate blocks differ from zlib's stream.
final class IsalStreamDeflater: Sendable {
    private struct State: ~Copyable {
        /// nil once the stream was finished (`Z_FINISH`).
        var engine: IsalDeflater?
        let format: FastFormat
        var headerWritten = false
        /// Adler-32 (zlib) or CRC-32 (gzip) of all input so far.
        var check: UInt32
        /// Input bytes so far, modulo 2³² (gzip's ISIZE).
        var length: UInt32 = 0
        /// The last input, at least its last 32 KiB when there was that much: a copy's
        /// window. Trimmed to 32 KiB once it reaches 64 KiB (amortised O(1) per byte).
        var history: [UInt8] = []
        /// Output made by a ``copy()``'s sync flush, returned with the next call's output.
        var pending: [UInt8] = []
    }

    private static let window = 1 << 15
    private let state: Mutex<State>

    private init(state: consuming sending State) {
        self.state = Mutex(state)
    }

    /// - Throws: `MemoryError`-kind ``ZlibError`` when ISA-L's buffers cannot be allocated.
    convenience init(format: FastFormat) throws {
        let engine = try IsalDeflater()
        unsafe try engine.start(format: .raw, dictionary: nil)
        self.init(state: State(engine: engine, format: format, check: format == .zlib ? 1 : 0))
    }

    /// `Compress.compress(data)`.
    func compress(_ input: UnsafeRawBufferPointer, progress: (() throws -> Void)?) throws -> [UInt8] {
        try state.withLock { state throws -> [UInt8] in
            unsafe try Self.step(&state, input, ending: .none, operation: .compressing, progress: progress)
        }
    }

    /// `Compress.flush(mode)` for every mode but `Z_NO_FLUSH`: `Z_FINISH` ends the stream,
    /// `Z_FULL_FLUSH` resets the history, `Z_SYNC_FLUSH`, `Z_PARTIAL_FLUSH` and `Z_BLOCK`
    /// write everything so far, byte-aligned (what `Z_PARTIAL_FLUSH` and `Z_BLOCK` promise,
    /// and a little more). Any other mode is zlib's `Z_STREAM_ERROR`, as in CPython.
    func flush(_ mode: FlushMode, progress: (() throws -> Void)?) throws -> [UInt8] {
        let ending: IsalDeflater.Ending
        switch mode {
        case .finish: ending = .finish
        case .fullFlush: ending = .full
        case .syncFlush, .partialFlush, .block: ending = .sync
        default: throw ZlibError(code: Z_STREAM_ERROR, operation: .flushing, zlibMessage: nil)
        }
        return try state.withLock { state throws -> [UInt8] in
            unsafe try Self.step(&state, UnsafeRawBufferPointer(start: nil, count: 0), ending: ending, operation: .flushing,
                          progress: progress)
        }
    }

    /// An independent stream that continues from here (see the type's comment): `copy()`.
    /// - Throws: "Inconsistent stream state" (`ValueError`) once the stream was finished.
    func copyStream() throws -> IsalStreamDeflater {
        try state.withLock { state throws -> IsalStreamDeflater in
            guard state.engine != nil else { throw ZlibError.inconsistentStreamState }
            let flushed = unsafe try Self.step(&state, UnsafeRawBufferPointer(start: nil, count: 0), ending: .sync,
                                        operation: .copyingCompressor, progress: nil)
            state.pending = flushed
            let engine = try IsalDeflater()
            unsafe try state.history.withUnsafeBytes { unsafe try engine.start(format: .raw, dictionary: $0) }
            return IsalStreamDeflater(state: State(
                engine: engine, format: state.format, headerWritten: state.headerWritten, check: state.check,
                length: state.length, history: state.history, pending: flushed))
        }
    }

    /// Whether the stream can still compress (not yet finished).
    var isActive: Bool { state.withLock { $0.engine != nil } }

    /// One call's work: header (first output only), what ISA-L makes of `input`, and the
    /// trailer when `ending` is `.finish`, after any output a copy left pending.
    private static func step(
        _ state: inout State, _ input: UnsafeRawBufferPointer, ending: IsalDeflater.Ending,
        operation: ZlibError.Operation, progress: (() throws -> Void)?
    ) throws -> [UInt8] {
        guard let engine = state.engine else {
            // zlib's deflate on an ended stream: CPython's message.
            throw ZlibError(code: Z_STREAM_ERROR, operation: operation, zlibMessage: nil)
        }
        var ticker = ProgressTicker(progress)
        var body = OutputCollector(initialCapacity: max(input.count / 2, 64), pieceLimit: ticker.pieceLimit)
        body.memoryMessage = "Out of memory while compressing data"
        let produced: [UInt8]
        do {
            unsafe try engine.run(input, ending: ending, into: &body, ticker: &ticker)
            produced = try body.finish()
        } catch {
            // Ctrl-C or a failed allocation after ISA-L took input: the output it made is
            // gone, so the stream can no longer be completed correctly. It ends here, and
            // later calls raise "inconsistent stream state" rather than write a corrupt
            // stream.
            state.engine = nil
            state.history = []
            throw error
        }
        state.check = switch state.format {
        case .zlib: unsafe adler32(input, initial: state.check)
        case .gzip: unsafe crc32(input, initial: state.check)
        case .raw: 0
        }
        state.length &+= UInt32(truncatingIfNeeded: input.count)
        unsafe remember(&state.history, input)
        // After a full flush no later block may refer back past it: nor may a copy's.
        if ending == .full { state.history = [] }
        var output = state.pending
        state.pending = []
        if !state.headerWritten {
            state.headerWritten = true
            output += header(state.format)
        }
        output += produced
        if ending == .finish {
            output += trailer(state.format, check: state.check, length: state.length)
            state.engine = nil
            state.history = []
        }
        return output
    }

    /// Keeps at least the last 32 KiB of everything given to `history`.
    private static func remember(_ history: inout [UInt8], _ input: UnsafeRawBufferPointer) {
        if input.count >= window {
            history = unsafe Array(input.suffix(window))
            return
        }
        unsafe history += input
        if history.count >= 2 * window { history.removeFirst(history.count - window) }
    }

    /// The container's header as zlib writes it at level 1.
    private static func header(_ format: FastFormat) -> [UInt8] {
        switch format {
        case .zlib: [0x78, 0x01]
        case .gzip: [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 4, 3]
        case .raw: []
        }
    }

    /// The container's trailer: Adler-32 big-endian (zlib); CRC-32 and length
    /// little-endian (gzip).
    private static func trailer(_ format: FastFormat, check: UInt32, length: UInt32) -> [UInt8] {
        switch format {
        case .zlib: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: check >> $0) }
        case .gzip: [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: check >> $0) }
            + [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: length >> $0) }
        case .raw: []
        }
    }
}

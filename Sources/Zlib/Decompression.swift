import CZlib
import Synchronization

/// One-shot decompression (CPython's `zlib.decompress(data, wbits, bufsize)`) into memory
/// the caller owns and grows between steps — a `bytes` object filled in place — so the
/// output is written exactly once, never assembled elsewhere and copied.
///
/// Drive it: give the first step ``initialCapacity`` bytes of output and call
/// ``step(_:into:progress:)`` until it returns `.finished(count:)`. On
/// `.needsCapacity(n)`, grow the output to `n` bytes keeping its first ``written`` bytes
/// (`realloc`, `_PyBytes_Resize`), and step again with the same input. Each step can run
/// with the GIL released; only the growing needs the caller's side.
///
/// libdeflate decodes the stream when it gives the identical result (``LibdeflateFormat``,
/// up to ``libdeflateAttemptLimit`` of output): it needs the whole output space up front,
/// so its attempts ask for 8× the input (or `bufsize` if larger), doubling while it reports
/// too little space. Otherwise, and for any stream libdeflate rejects, zlib inflates from
/// the start, so errors are CPython's. Data after the end of the stream is ignored, as in
/// CPython.
public final class Decompression: Sendable {
    /// What the caller does next.
    public enum Step: Sendable, Equatable {
        /// Done: the output is the first `count` bytes.
        case finished(count: Int)
        /// Grow the output to this many bytes (keeping the first ``written``), step again.
        case needsCapacity(Int)
    }

    /// The output space the first step should get.
    public let initialCapacity: Int
    private let state: Mutex<State>

    private struct State: ~Copyable {
        /// The container libdeflate would decode, while it is still to be tried.
        var libdeflate: LibdeflateFormat?
        /// The output space libdeflate's next attempt needs.
        var attemptCapacity: Int
        let wbits: Int32
        var stream = ZStream(kind: .inflate)
        var finished = false
    }

    /// - Parameters:
    ///   - input: the stream (only its size and first bytes are looked at here).
    ///   - wbits: 9...15 zlib, -9...-15 raw, 25...31 gzip, 40...47 zlib-or-gzip (auto), 0
    ///     for the window size recorded in the zlib header.
    ///   - bufferSize: CPython's `bufsize`, the first output size; 0 counts as 1. Only a
    ///     hint: above 256 MiB it is capped rather than allocated.
    /// - Throws: `.invalidArgument` for a negative `bufferSize`.
    public init(input: UnsafeRawBufferPointer, wbits: Int32, bufferSize: Int) throws(ZlibError) {
        guard bufferSize >= 0 else { throw .invalidArgument("bufsize must be non-negative") }
        let hint = min(max(bufferSize, 1), OutputCollector.maxChunk)
        let format = unsafe LibdeflateFormat(wbits: wbits, input: input)
        let (guess, overflow) = input.count.multipliedReportingOverflow(by: 8)
        let attempt = min(max(overflow ? Int.max : guess, bufferSize, 1 << 16), libdeflateAttemptLimit)
        // zlib grows its output as it goes; starting from ~4× the input (text inflates
        // 3-5×) saves the early doublings, each a round trip to the caller.
        let zlibStart = max(hint, min(input.count.multipliedReportingOverflow(by: 4).partialValue, 1 << 26))
        initialCapacity = unsafe format != nil && input.baseAddress != nil ? attempt : zlibStart
        state = unsafe Mutex(State(libdeflate: input.baseAddress == nil ? nil : format, attemptCapacity: attempt, wbits: wbits))
    }

    /// Bytes of output written so far: what a growing caller must keep.
    public var written: Int {
        state.withLock { unsafe Int($0.stream.pointer.pointee.total_out) }
    }

    /// Decompresses `input` (the same buffer every step) into `output`, whose first
    /// ``written`` bytes hold what earlier steps produced.
    ///
    /// - Parameter progress: called between ~1 MiB pieces of input read plus output
    ///   written (on this thread), and between libdeflate attempts; what it throws ends
    ///   the decompression and is rethrown.
    /// - Throws: ``ZlibError`` such as "Error -3 while decompressing data: incorrect
    ///   header check" or, for input that ends early, "Error -5 while decompressing data:
    ///   incomplete or truncated stream"; or whatever `progress` throws.
    /// The corresponding C functions are `libdeflate_*_decompress_ex`, `inflateInit2_`,
    /// `inflate` and `inflateEnd`.
    public func step(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
        progress: (() throws -> Void)? = nil
    ) throws -> Step {
        try state.withLock { state throws -> Step in
            guard !state.finished else {
                throw ZlibError(kind: .zlib, code: Z_STREAM_ERROR, message: "decompression already finished")
            }
            if let format = state.libdeflate {
                guard output.count >= state.attemptCapacity else { return .needsCapacity(state.attemptCapacity) }
                switch unsafe libdeflateDecompress(input, format: format, into: output) {
                case .decoded(let count):
                    state.finished = true
                    return .finished(count: count)
                case .needsSpace where state.attemptCapacity < libdeflateAttemptLimit:
                    try progress?()
                    state.attemptCapacity = min(state.attemptCapacity * 2, libdeflateAttemptLimit)
                    return .needsCapacity(state.attemptCapacity)
                case .needsSpace, .failed:
                    // Larger than one uninterruptible attempt may be, or not a stream
                    // libdeflate accepts: zlib, from the start, gives CPython's result.
                    state.libdeflate = nil
                }
            }
            return unsafe try Self.inflateStep(&state, input, output, progress)
        }
    }

    /// zlib's part of ``step(_:into:progress:)``: CPython's inflate loop, resumed where
    /// the stream's counters say it stopped.
    private static func inflateStep(
        _ state: inout State, _ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer,
        _ progress: (() throws -> Void)?
    ) throws -> Step {
        if !state.stream.isInitialised {
            let code = state.stream.initInflate(wbits: state.wbits)
            switch code {
            case Z_OK: break
            case Z_MEM_ERROR: throw ZlibError.outOfMemory("Out of memory while decompressing data")
            default: throw state.stream.error(code, .preparingToDecompress)
            }
        }
        let s = unsafe state.stream.pointer
        var ticker = ProgressTicker(progress)
        let piece = ticker.pieceLimit
        defer {
            unsafe s.pointee.next_in = nil
            unsafe s.pointee.avail_in = 0
            unsafe s.pointee.next_out = nil
            unsafe s.pointee.avail_out = 0
        }
        while true {
            let consumed = unsafe Int(s.pointee.total_in), produced = unsafe Int(s.pointee.total_out)
            guard produced < output.count else { return .needsCapacity(grownCapacity(output.count)) }
            let given = min(input.count - consumed, piece)
            // SAFETY: [consumed, consumed + given) lies inside `input`, and
            // [produced, produced + avail_out) inside `output`; zlib only reads the first
            // and writes the second, and both pointers are cleared (defer) before returning.
            unsafe s.pointee.next_in = unsafe input.baseAddress.map {
                unsafe UnsafeMutablePointer(mutating: ($0 + consumed).assumingMemoryBound(to: Bytef.self))
            }
            unsafe s.pointee.avail_in = UInt32(given)
            unsafe s.pointee.next_out = unsafe (output.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            unsafe s.pointee.avail_out = UInt32(min(output.count - produced, piece))
            let flush = consumed + given == input.count ? Z_FINISH : Z_NO_FLUSH
            let err = unsafe inflate(s, flush)
            switch err {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END:
                let count = unsafe Int(s.pointee.total_out)
                let end = state.stream.end()
                if end != Z_OK { throw state.stream.error(end, .finishingDecompression) }
                state.finished = true
                return .finished(count: count)
            case Z_MEM_ERROR: throw ZlibError.outOfMemory("Out of memory while decompressing data")
            default: throw unsafe streamError(s, err, .decompressing)
            }
            unsafe try ticker.tick(s)
            if unsafe s.pointee.avail_out == 0 { continue }
            // Output room left: zlib consumed all it was given, or cannot go on.
            if unsafe s.pointee.avail_in != 0 || Int(s.pointee.total_in) == input.count {
                throw state.stream.error(err, .decompressing)
            }
        }
    }

    /// The output size after `capacity` ran out: doubling (so growing costs amortised
    /// O(1) per byte even where it copies), by at most 256 MiB at a time.
    static func grownCapacity(_ capacity: Int) -> Int {
        capacity + min(max(capacity, 1 << 16), OutputCollector.maxChunk)
    }
}

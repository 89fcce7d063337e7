import CISAL

extension isal_zstream: OutputWindow {}

/// One ISA-L level-1 deflate stream on the heap (ISA-L's state must not move), with its
/// level buffer. Reused across blocks by `parallelCompress`; a `compressobj` stream's
/// engine (``IsalStreamDeflater``).
///
/// `@unchecked Sendable`, as ``ZStream``: an ISA-L stream has no thread affinity, so its
/// one owner may move to another thread; it is never shared except inside a `Mutex`
/// (``IsalStreamDeflater``), touched only while that is held.
@safe final class IsalDeflater: @unchecked Sendable {
    private let stream: UnsafeMutablePointer<isal_zstream>
    private let levelBuffer: UnsafeMutableRawBufferPointer

    /// - Throws: `MemoryError`-kind when the work buffers cannot be allocated.
    init() throws {
        let size = Int(swiftpy_isal_level1_buffer_size())
        // malloc, not Swift's allocator: this runs on parallelCompress's workers, where a
        // failed allocation must throw (MemoryError), not trap.
        guard let memory = unsafe mallocBytes(size, alignment: 64) else { throw ZlibError.outOfMemory("Out of memory while compressing data") }
        unsafe levelBuffer = unsafe UnsafeMutableRawBufferPointer(start: memory, count: size)
        unsafe stream = .allocate(capacity: 1)
        unsafe stream.initialize(to: isal_zstream())
    }

    deinit {
        unsafe stream.deinitialize(count: 1)
        unsafe stream.deallocate()
        unsafe freeBytes(levelBuffer.baseAddress)
    }

    /// Deflates `input` at level 1 into `format`'s container: a whole stream when `last`,
    /// else (raw blocks for `parallelCompress`) ending with a sync flush, byte-aligned.
    /// `dictionary` primes the window (at most 32 KiB are used).
    /// The corresponding C functions are `isal_deflate_init`, `isal_deflate_set_dict` and
    /// `isal_deflate`.
    func compress(
        _ input: UnsafeRawBufferPointer, format: FastFormat, dictionary: UnsafeRawBufferPointer? = nil,
        last: Bool = true, initialCapacity: Int, progress: (() throws -> Void)? = nil
    ) throws -> [UInt8] {
        var ticker = ProgressTicker(progress)
        var output = OutputCollector(initialCapacity: max(initialCapacity, 64), pieceLimit: ticker.pieceLimit)
        unsafe try deflate(input, format: format, dictionary: dictionary, last: last, into: &output, ticker: &ticker)
        return try output.finish()
    }

    /// `compress` into memory the caller owns (the result `bytes`, written once): the
    /// number of bytes written, or nil when `output` was too small for the whole stream.
    func compress(
        _ input: UnsafeRawBufferPointer, format: FastFormat, into output: UnsafeMutableRawBufferPointer,
        progress: (() throws -> Void)? = nil
    ) throws -> Int? {
        var ticker = ProgressTicker(progress)
        var sink = unsafe FixedOutput(output, pieceLimit: ticker.pieceLimit)
        unsafe try deflate(input, format: format, dictionary: nil, last: true, into: &sink, ticker: &ticker)
        return sink.overflowed ? nil : sink.count
    }

    /// `compress` for a worker thread: the output lands in `malloc` memory (no allocation
    /// can trap), shrunk to fit.
    func compressBlock(
        _ input: UnsafeRawBufferPointer, format: FastFormat, dictionary: UnsafeRawBufferPointer?, last: Bool,
        initialCapacity: Int
    ) throws -> MallocBytes {
        var ticker = ProgressTicker(nil)
        var output = try MallocOutput(initialCapacity: initialCapacity, memoryMessage: "Out of memory while compressing data")
        unsafe try deflate(input, format: format, dictionary: dictionary, last: last, into: &output, ticker: &ticker)
        return output.finish()
    }

    private func deflate<Sink: OutputSink & ~Copyable>(
        _ input: UnsafeRawBufferPointer, format: FastFormat, dictionary: UnsafeRawBufferPointer?, last: Bool,
        into output: inout Sink, ticker: inout ProgressTicker
    ) throws {
        unsafe try start(format: format, dictionary: dictionary)
        unsafe try run(input, ending: last ? .finish : .sync, into: &output, ticker: &ticker)
    }

    /// How a ``run(_:ending:into:ticker:)`` ends once all its input is in.
    enum Ending {
        /// Nothing forced: ISA-L keeps what it has not written yet (`NO_FLUSH`).
        case none
        /// Everything written, byte-aligned, history kept (`SYNC_FLUSH`).
        case sync
        /// As `.sync`, and later blocks never refer back past this point (`FULL_FLUSH`).
        case full
        /// The final block (`end_of_stream`).
        case finish
    }

    /// Starts a stream in `format`'s container, its window primed with `dictionary` (at
    /// most its last 32 KiB are used).
    /// The corresponding C functions are `isal_deflate_init` and `isal_deflate_set_dict`.
    func start(format: FastFormat, dictionary: UnsafeRawBufferPointer?) throws {
        let s = unsafe stream
        unsafe isal_deflate_init(s)
        unsafe s.pointee.level = 1
        unsafe s.pointee.level_buf = unsafe levelBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        unsafe s.pointee.level_buf_size = unsafe UInt32(levelBuffer.count)
        let wrapper: Int32 = switch format {
        case .zlib: IGZIP_ZLIB
        case .gzip: IGZIP_GZIP
        case .raw: IGZIP_DEFLATE
        }
        unsafe s.pointee.gzip_flag = UInt16(wrapper)
        if let dictionary = unsafe dictionary, let base = dictionary.baseAddress, unsafe !dictionary.isEmpty {
            let tail = min(dictionary.count, 1 << 15)
            // SAFETY: ISA-L copies the dictionary into its history before returning.
            let code = unsafe isal_deflate_set_dict(
                s, UnsafeMutablePointer(mutating: (base + dictionary.count - tail).assumingMemoryBound(to: UInt8.self)),
                UInt32(tail))
            if code != COMP_OK { throw ZlibError(kind: .zlib, code: code, message: "Error \(code) while compressing data") }
        }
    }

    /// Feeds `input` to the started stream and writes what ISA-L produces into `output`,
    /// ending as `ending` says. Input need not outlive the call: ISA-L keeps its history
    /// in its own state.
    /// The corresponding C function is `isal_deflate`.
    func run<Sink: OutputSink & ~Copyable>(
        _ input: UnsafeRawBufferPointer, ending: Ending, into output: inout Sink, ticker: inout ProgressTicker
    ) throws {
        let s = unsafe stream
        let pieceLimit = ticker.pieceLimit
        var fed = 0
        defer {
            unsafe s.pointee.next_in = nil
            unsafe s.pointee.avail_in = 0
        }
        let flush = switch ending {
        case .sync: SYNC_FLUSH
        case .full: FULL_FLUSH
        case .none, .finish: NO_FLUSH
        }
        var produced: UInt = 0
        _ = unsafe try output.fill(s) {
            while true {
                if unsafe s.pointee.avail_in == 0 && fed < input.count, let base = input.baseAddress {
                    let piece = min(input.count - fed, pieceLimit)
                    // SAFETY: ISA-L only reads through next_in; [fed, fed + piece) is inside
                    // `input`, and next_in is cleared (defer) before `input` can go away.
                    unsafe s.pointee.next_in = unsafe UnsafeMutablePointer(mutating: (base + fed).assumingMemoryBound(to: UInt8.self))
                    unsafe s.pointee.avail_in = UInt32(piece)
                    fed += piece
                }
                let allGiven = fed == input.count
                unsafe s.pointee.end_of_stream = ending == .finish && allGiven ? 1 : 0
                unsafe s.pointee.flush = UInt16(allGiven ? flush : NO_FLUSH)
                let before = unsafe s.pointee.avail_out
                let code = unsafe isal_deflate(s)
                if code != COMP_OK { throw ZlibError(kind: .zlib, code: code, message: "Error \(code) while compressing data") }
                unsafe produced &+= UInt(before - s.pointee.avail_out)
                unsafe try ticker.tick(count: UInt(s.pointee.total_in) &+ produced)
                if unsafe s.pointee.avail_out == 0 { return true }
                // Room left with all input in: a flush is complete (ISA-L's documented
                // test), and the final block once the stream reports its end.
                if unsafe allGiven && s.pointee.avail_in == 0 && (ending != .finish || swiftpy_isal_deflate_ended(s) != 0) {
                    return false
                }
            }
        }
        unsafe s.pointee.flush = UInt16(NO_FLUSH)
    }
}

import CZlib

/// Owns one `z_stream` on the heap.
///
/// zlib's internal state keeps a back-pointer to its `z_stream` (`state->strm`) and checks it
/// on every call, so the struct must never move once initialised: it lives in memory this
/// value allocates and frees, and the value itself is `~Copyable` so exactly one owner calls
/// `deflateEnd`/`inflateEnd` (in `deinit` at the latest).
///
/// `@unchecked Sendable`: a zlib stream has no thread affinity, so moving the sole owner to
/// another thread is safe. Sharing is not: zlib calls mutate through `pointer` even from a
/// borrow, so every `ZStream` stored in a shared object lives inside a `Mutex` (see
/// ``Deflater`` and ``Inflater``) and is only touched while it is held.
@safe struct ZStream: ~Copyable, @unchecked Sendable {
    enum Kind { case deflate, inflate }

    let kind: Kind
    /// The stream. Stable for the lifetime of this value.
    let pointer: UnsafeMutablePointer<z_stream>
    /// Whether `deflateInit2_`/`inflateInit2_` (or a copy) succeeded and no `*End` ran since.
    private(set) var isInitialised = false

    init(kind: Kind) {
        self.kind = kind
        unsafe pointer = .allocate(capacity: 1)
        // All-zero fields: Z_NULL zalloc/zfree/opaque select zlib's default allocator, and
        // a NULL next_in with avail_in 0 is valid input.
        unsafe pointer.initialize(to: z_stream())
    }

    deinit {
        if isInitialised { _ = unsafe Self.end(pointer, kind) }
        unsafe pointer.deinitialize(count: 1)
        unsafe pointer.deallocate()
    }

    private static func end(_ stream: UnsafeMutablePointer<z_stream>, _ kind: Kind) -> Int32 {
        switch kind {
        case .deflate: unsafe deflateEnd(stream)
        case .inflate: unsafe inflateEnd(stream)
        }
    }

    /// The corresponding C macro is `deflateInit2` (through the `swiftpy_deflate_init2` shim).
    mutating func initDeflate(level: Int32, method: Int32, wbits: Int32, memLevel: Int32, strategy: Int32) -> Int32 {
        let code = unsafe swiftpy_deflate_init2(pointer, level, method, wbits, memLevel, strategy)
        isInitialised = code == Z_OK
        return code
    }

    /// The corresponding C macro is `inflateInit2` (through the `swiftpy_inflate_init2` shim).
    mutating func initInflate(wbits: Int32) -> Int32 {
        let code = unsafe swiftpy_inflate_init2(pointer, wbits)
        isInitialised = code == Z_OK
        return code
    }

    /// Makes this (uninitialised) stream a copy of `source`.
    /// The corresponding C functions are `deflateCopy` and `inflateCopy`.
    mutating func copy(from source: borrowing ZStream) -> Int32 {
        let code: Int32 = switch kind {
        case .deflate: unsafe deflateCopy(pointer, source.pointer)
        case .inflate: unsafe inflateCopy(pointer, source.pointer)
        }
        isInitialised = code == Z_OK
        return code
    }

    /// Ends the stream if `error`, thrown by a call that had started, interrupted it (its
    /// progress callback threw: Ctrl-C): the input zlib took is consumed and the call's
    /// output dropped, so the stream cannot go on correctly, and later calls raise
    /// "inconsistent stream state" rather than return data with a hole in it. zlib's own
    /// errors, and MemoryError, leave it as CPython's objects are. Returns `error`.
    mutating func endingIfInterrupted(by error: any Error) -> any Error {
        if !(error is ZlibError) { _ = end() }
        return error
    }

    /// Frees zlib's state. Calling zlib on the stream afterwards is safe: it returns
    /// `Z_STREAM_ERROR` because `state` is NULL, which is what CPython's objects report.
    /// The corresponding C functions are `deflateEnd` and `inflateEnd`.
    mutating func end() -> Int32 {
        guard isInitialised else { return Z_OK }
        isInitialised = false
        return unsafe Self.end(pointer, kind)
    }

    /// Starts this (new) stream for a decompression object, with the errors CPython's
    /// constructors raise (`zlib.decompressobj`, `zlib._ZlibDecompressor`).
    /// The corresponding C macro is `inflateInit2`.
    mutating func initDecompressor(wbits: Int32) throws {
        let code = initInflate(wbits: wbits)
        switch code {
        case Z_OK: break
        case Z_STREAM_ERROR: throw ZlibError.invalidInitializationOption
        case Z_MEM_ERROR: throw ZlibError.outOfMemory("Can't allocate memory for decompression object")
        default: throw error(code, .creatingDecompressor)
        }
    }

    /// Gives an inflate stream its preset dictionary (CPython's `set_inflate_zdict`).
    /// The corresponding C function is `inflateSetDictionary`.
    func setInflateDictionary(_ zdict: [UInt8]) throws {
        guard zdict.count <= Int(UInt32.max) else { throw ZlibError.zdictTooLong }
        let err = unsafe zdict.withUnsafeBytes { bytes in
            // SAFETY: zlib copies the dictionary into its window before returning.
            unsafe inflateSetDictionary(pointer, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), UInt32(bytes.count))
        }
        if err != Z_OK { throw error(err, .settingDictionary) }
    }

    /// zlib's `msg`: a static string describing the last error, if any.
    var message: String? {
        unsafe pointer.pointee.msg.map { unsafe String(cString: $0) }
    }

    /// Builds the CPython-style error for `code` with this stream's message.
    func error(_ code: Int32, _ operation: ZlibError.Operation) -> ZlibError {
        unsafe streamError(pointer, code, operation)
    }
}

/// The CPython-style error (`zlib_error()`) for `code`, using the stream's `msg`.
func streamError(_ stream: UnsafeMutablePointer<z_stream>, _ code: Int32, _ operation: ZlibError.Operation) -> ZlibError {
    unsafe ZlibError(code: code, operation: operation, zlibMessage: stream.pointee.msg.map { unsafe String(cString: $0) })
}

/// Calls a progress callback after every ~256 KiB of input read plus output written, so
/// long calls give the caller regular chances to notice Ctrl-C: at level 9 on hard input
/// deflate does ~10 MB/s, so a piece takes ~25 ms, well inside the 100 ms budget.
struct ProgressTicker {
    static let interval: UInt = 1 << 18
    private var last: UInt = 0
    let callback: (() throws -> Void)?

    init(_ callback: (() throws -> Void)?) { self.callback = callback }

    /// The piece size for input and output when a callback is set (control returns to Swift
    /// at least this often), else zlib's 32-bit maximum.
    var pieceLimit: Int { callback == nil ? Int(UInt32.max) : Int(Self.interval) }

    mutating func tick(_ stream: UnsafeMutablePointer<z_stream>) throws {
        unsafe try tick(count: UInt(stream.pointee.total_in) &+ UInt(stream.pointee.total_out))
    }

    /// `tick` for any engine: `now` is its running count of bytes read plus written.
    mutating func tick(count now: UInt) throws {
        guard let callback else { return }
        if now &- last >= Self.interval {
            last = now
            try callback()
        }
    }
}

/// Hands an input buffer of any size to zlib, whose `avail_in` is a 32-bit `uInt`.
///
/// The position is kept by zlib itself (`next_in`); this only remembers where the buffer
/// ends, so `feed` can give zlib the next piece once it has consumed the current one.
@safe struct InputFeeder {
    let base: UnsafeRawPointer?
    let count: Int
    /// Largest piece handed over at once: `UInt32.max`, or smaller to get control back
    /// (for progress callbacks) more often.
    let pieceLimit: Int

    init(_ buffer: UnsafeRawBufferPointer, pieceLimit: Int = Int(UInt32.max)) {
        unsafe base = buffer.baseAddress
        count = buffer.count
        self.pieceLimit = max(1, min(pieceLimit, Int(UInt32.max)))
    }

    /// Bytes zlib has consumed so far.
    func consumed(_ stream: UnsafeMutablePointer<z_stream>) -> Int {
        guard let base = unsafe base, let next = unsafe stream.pointee.next_in else { return 0 }
        return unsafe UnsafeRawPointer(next) - base
    }

    /// Bytes not yet handed to zlib (CPython's `ibuflen`).
    func remaining(_ stream: UnsafeMutablePointer<z_stream>) -> Int {
        unsafe count - consumed(stream) - Int(stream.pointee.avail_in)
    }

    /// Points the stream at the next piece of unconsumed input (CPython's
    /// `arrange_input_buffer`).
    func feed(_ stream: UnsafeMutablePointer<z_stream>) {
        guard let base = unsafe base else {
            unsafe stream.pointee.next_in = nil
            unsafe stream.pointee.avail_in = 0
            return
        }
        let done = unsafe consumed(stream)
        let piece = min(count - done, pieceLimit)
        // SAFETY: zlib only reads through next_in (it is `z_const`-less in this build, hence
        // the mutable pointer type); `done + piece <= count` keeps it inside the buffer, and
        // every caller clears next_in before the buffer's lifetime ends.
        unsafe stream.pointee.next_in = unsafe UnsafeMutablePointer(mutating: (base + done).assumingMemoryBound(to: Bytef.self))
        unsafe stream.pointee.avail_in = UInt32(truncatingIfNeeded: piece)
    }

    /// Starts feeding: sets next_in to the start of the buffer.
    func start(_ stream: UnsafeMutablePointer<z_stream>) {
        unsafe stream.pointee.next_in = nil
        unsafe stream.pointee.avail_in = 0
        if let base = unsafe base {
            // SAFETY: as in `feed`; zlib never writes through next_in.
            unsafe stream.pointee.next_in = unsafe UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        }
        unsafe feed(stream)
    }

    /// Detaches the stream from the buffer so no dangling pointer stays in the z_stream.
    static func clear(_ stream: UnsafeMutablePointer<z_stream>) {
        unsafe stream.pointee.next_in = nil
        unsafe stream.pointee.avail_in = 0
    }
}

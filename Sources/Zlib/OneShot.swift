import CZlib

/// Compresses `input` in one call, like CPython's `zlib.compress(data, level, wbits)`.
///
/// The output is presized with `deflateBound`, so zlib writes the whole stream straight into
/// the returned array with a single `deflate(Z_FINISH)` call whenever the input and bound fit
/// in zlib's 32-bit counters and no `progress` callback is given.
///
/// - Parameters:
///   - level: -1 (default, i.e. 6) or 0...9.
///   - wbits: 9...15 zlib wrapper, -9...-15 raw deflate, 25...31 gzip wrapper.
///   - progress: called between ~1 MiB pieces of work (on this thread) so the caller can
///     check for Ctrl-C; if it throws, the stream is freed and the error rethrown.
/// - Throws: ``ZlibError`` ("Bad compression level" for an invalid level or wbits, as
///   CPython), or whatever `progress` throws.
/// The corresponding C functions are `deflateInit2_`, `deflateBound`, `deflate`, `deflateEnd`.
///   - engine: `.zlib` (byte-identical to CPython) or `.fast` (see ``CompressionEngine``).
///   - outputGrowth: the CPython release whose output buffer sizes to reproduce (they
///     shape level-0 streams).
public func compress(
    _ input: UnsafeRawBufferPointer, level: Int32 = -1, wbits: Int32 = 15, engine: CompressionEngine = .zlib,
    outputGrowth: OutputGrowth = .cpython310, progress: (() throws -> Void)? = nil
) throws -> [UInt8] {
    if engine == .fast, let plan = FastCompressionPlan(level: level, wbits: wbits) {
        switch plan {
        case .isal:
            let bound = isalOutputBound(input.count)
            return unsafe try IsalDeflater().compress(
                input, format: FastFormat(wbits: wbits),
                initialCapacity: canAllocate(bound) ? bound : ZlibConstants.defaultBufferSize, progress: progress)
        case .libdeflate(let level):
            return unsafe try libdeflateCompress(input, level: level, format: FastFormat(wbits: wbits), progress: progress)
        }
    }
    var stream = ZStream(kind: .deflate)
    let code = stream.initDeflate(
        level: level, method: Z_DEFLATED, wbits: wbits, memLevel: ZlibConstants.defaultMemLevel,
        strategy: Z_DEFAULT_STRATEGY)
    switch code {
    case Z_OK: break
    case Z_MEM_ERROR: throw ZlibError.outOfMemory("Out of memory while compressing data")
    case Z_STREAM_ERROR: throw ZlibError.badCompressionLevel
    default: throw stream.error(code, .compressing)
    }
    let s = unsafe stream.pointer
    // deflateBound takes and returns uLong (64-bit here); an unrepresentable bound means the
    // input cannot be compressed in memory anyway.
    guard let bound = unsafe Int(exactly: deflateBound(s, uLong(input.count))) else {
        throw ZlibError.outOfMemory("Out of memory while compressing data")
    }
    // Level 0 writes stored blocks that end where the output space (or input) does: to be
    // byte-identical, zlib must see CPython's buffer sizes and whole input, with no pieces
    // for progress checks (storing runs at memory speed anyway). Other levels are presized
    // when the bound can be allocated; otherwise grown (highly compressible input then
    // still compresses under a memory limit).
    let stored = level == 0
    var ticker = ProgressTicker(stored ? nil : progress)
    let feeder = unsafe InputFeeder(input, pieceLimit: ticker.pieceLimit)
    var output = stored || !canAllocate(bound)
        ? OutputCollector(growth: outputGrowth, pieceLimit: ticker.pieceLimit)
        : OutputCollector(initialCapacity: max(bound, 1), pieceLimit: ticker.pieceLimit)
    unsafe feeder.start(s)
    defer { unsafe InputFeeder.clear(s) }
    _ = unsafe try output.fill(s) {
        while true {
            let flush = unsafe feeder.remaining(s) == 0 ? Z_FINISH : Z_NO_FLUSH
            let err = unsafe deflate(s, flush)
            if err == Z_STREAM_END { return false }
            if err != Z_OK && err != Z_BUF_ERROR { throw unsafe streamError(s, err, .compressing) }
            if unsafe s.pointee.avail_out == 0 { return true }
            // Room left means zlib took all of avail_in; with Z_FINISH it would have ended.
            guard flush == Z_NO_FLUSH, unsafe s.pointee.avail_in == 0 else {
                throw unsafe streamError(s, err, .compressing)
            }
            unsafe try ticker.tick(s)
            unsafe feeder.feed(s)
        }
    }
    let end = stream.end()
    if end != Z_OK { throw stream.error(end, .finishingCompression) }
    return try output.finish()
}

/// ISA-L level 1's output for `count` input bytes, with room to spare: its stored-block
/// fallback adds ~5 bytes per 64 KiB, a container at most 18.
private func isalOutputBound(_ count: Int) -> Int { count &+ count >> 12 &+ count >> 14 &+ 64 }

/// The output space with which ``compress(_:level:wbits:engine:into:progress:)`` writes a
/// whole stream in place, or nil where these settings take the growing path (today the
/// `.fast` engines, ISA-L and libdeflate, compress in place; zlib grows). Python's
/// `compress` gives the result `bytes` this size and shrinks it afterwards: memory never
/// written is never touched, and the output is written once instead of being copied into
/// the result.
public func inPlaceCompressionCapacity(inputCount: Int, level: Int32, wbits: Int32, engine: CompressionEngine) -> Int? {
    guard engine == .fast, let plan = FastCompressionPlan(level: level, wbits: wbits) else { return nil }
    return switch plan {
    case .isal: isalOutputBound(inputCount)
    case .libdeflate: libdeflateOutputBound(inputCount, format: FastFormat(wbits: wbits))
    }
}

/// Compresses `input` into `output` (at least ``inPlaceCompressionCapacity(inputCount:level:wbits:engine:)``
/// bytes) with the same stream ``compress(_:level:wbits:engine:outputGrowth:progress:)``
/// makes. Returns the bytes written, or nil when `output` was too small (or these settings
/// do not compress in place): the caller then takes the growing path.
public func compress(
    _ input: UnsafeRawBufferPointer, level: Int32, wbits: Int32, engine: CompressionEngine,
    into output: UnsafeMutableRawBufferPointer, progress: (() throws -> Void)? = nil
) throws -> Int? {
    guard engine == .fast, let plan = FastCompressionPlan(level: level, wbits: wbits) else { return nil }
    switch plan {
    case .isal:
        return unsafe try IsalDeflater().compress(input, format: FastFormat(wbits: wbits), into: output, progress: progress)
    case .libdeflate(let level):
        return unsafe try libdeflateCompress(input, level: level, format: FastFormat(wbits: wbits), into: output, progress: progress)
    }
}

/// Decompresses a complete stream, like CPython's `zlib.decompress(data, wbits, bufsize)`.
///
/// ``Decompression`` driven to the end with `malloc` memory, then copied into the array
/// (Python's `decompress` fills the result `bytes` itself instead): libdeflate where it
/// gives the identical result, zlib otherwise, so errors are CPython's. Nothing calls
/// back into the caller except `progress`. Data after the end of the stream is ignored,
/// as in CPython.
///
/// - Parameters:
///   - wbits: 9...15 zlib, -9...-15 raw, 25...31 gzip, 40...47 zlib-or-gzip (auto), 0 for
///     the window size recorded in the zlib header.
///   - bufferSize: the initial output size (CPython's `bufsize`); 0 counts as 1. Only a hint:
///     very large values are capped rather than allocated.
///   - progress: called between ~1 MiB pieces of input read plus output written.
/// - Throws: ``ZlibError`` such as "Error -3 while decompressing data: incorrect header
///   check" or, for input that ends early, "Error -5 while decompressing data: incomplete or
///   truncated stream"; or whatever `progress` throws.
/// The corresponding C functions are `inflateInit2_`, `inflate`, `inflateEnd`.
public func decompress(
    _ input: UnsafeRawBufferPointer, wbits: Int32 = 15,
    bufferSize: Int = ZlibConstants.defaultBufferSize, progress: (() throws -> Void)? = nil
) throws -> [UInt8] {
    let job = unsafe try Decompression(input: input, wbits: wbits, bufferSize: bufferSize)
    var capacity = job.initialCapacity
    guard var memory = unsafe mallocBytes(capacity) else { throw ZlibError.outOfMemory(outputBufferMessage) }
    defer { unsafe freeBytes(memory) }
    while true {
        switch unsafe try job.step(input, into: UnsafeMutableRawBufferPointer(start: memory, count: capacity), progress: progress) {
        case .finished(let count):
            try ensureAllocatable(count)
            return unsafe [UInt8](UnsafeRawBufferPointer(start: memory, count: count))
        case .needsCapacity(let size):
            guard let grown = unsafe reallocBytes(memory, size) else { throw ZlibError.outOfMemory(outputBufferMessage) }
            unsafe (memory, capacity) = unsafe (grown, size)
        }
    }
}

/// `compress` for an array; see the `UnsafeRawBufferPointer` overload.
public func compress(
    _ input: [UInt8], level: Int32 = -1, wbits: Int32 = 15, engine: CompressionEngine = .zlib,
    outputGrowth: OutputGrowth = .cpython310, progress: (() throws -> Void)? = nil
) throws -> [UInt8] {
    unsafe try input.withUnsafeBytes {
        unsafe try compress($0, level: level, wbits: wbits, engine: engine, outputGrowth: outputGrowth, progress: progress)
    }
}

/// `decompress` for an array; see the `UnsafeRawBufferPointer` overload.
public func decompress(
    _ input: [UInt8], wbits: Int32 = 15, bufferSize: Int = ZlibConstants.defaultBufferSize,
    progress: (() throws -> Void)? = nil
) throws -> [UInt8] {
    unsafe try input.withUnsafeBytes { unsafe try decompress($0, wbits: wbits, bufferSize: bufferSize, progress: progress) }
}

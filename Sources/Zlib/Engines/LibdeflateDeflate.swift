import CLibdeflate

/// From this input size libdeflate runs on a thread of its own (on a private copy of the
/// input) while the caller keeps polling for Ctrl-C: libdeflate compresses in one call
/// that cannot be interrupted, ~80 MB/s at level 6 and ~18 MB/s at level 9 here, so these
/// sizes take ~50 ms.
func libdeflateOffThreadThreshold(level: Int32) -> Int {
    level <= 6 ? 4 << 20 : 1 << 20
}

/// The output space libdeflate's stream of `count` input bytes in `format` needs at most
/// (its own worst-case bound), or nil when that does not fit in memory's address range.
/// The corresponding C functions are `libdeflate_{zlib,gzip,deflate}_compress_bound`.
func libdeflateOutputBound(_ count: Int, format: FastFormat) -> Int? {
    // libdeflate's bound is count + ~count/1700 + a few dozen bytes; computed by hand
    // only to know it overflows before asking (it wraps silently).
    guard count <= Int.max / 2 else { return nil }
    // SAFETY: a NULL compressor asks for the bound valid for every level (libdeflate.h).
    return switch format {
    case .zlib: libdeflate_zlib_compress_bound(nil, count)
    case .gzip: libdeflate_gzip_compress_bound(nil, count)
    case .raw: libdeflate_deflate_compress_bound(nil, count)
    }
}

/// Compresses `input` in one call with libdeflate at `level` (2...9) into `format`'s
/// container, written into `output` (at least ``libdeflateOutputBound(_:format:)``
/// bytes): a standard stream any inflate reads, not byte-identical to zlib's. Returns the
/// bytes written, or nil when `output` is smaller than the bound.
///
/// Large inputs (with a `progress` to poll) are compressed on a thread of their own from
/// private copies — on Ctrl-C the caller returns at once, and the thread finishes on
/// memory no one else uses — then copied into `output`.
/// The corresponding C functions are `libdeflate_alloc_compressor` and
/// `libdeflate_{zlib,gzip,deflate}_compress`.
func libdeflateCompress(
    _ input: UnsafeRawBufferPointer, level: Int32, format: FastFormat, into output: UnsafeMutableRawBufferPointer,
    progress: (() throws -> Void)?
) throws -> Int? {
    guard let bound = libdeflateOutputBound(input.count, format: format), output.count >= bound else { return nil }
    guard let progress, input.count >= libdeflateOffThreadThreshold(level: level) else {
        return unsafe try libdeflateCompressNow(input, level: level, format: format, into: output)
    }
    let memoryMessage = "Out of memory while compressing data"
    guard let copy = unsafe try MallocBytes(copying: input, poll: progress) else { throw ZlibError.outOfMemory(memoryMessage) }
    let (compressed, written) = try runOffThread({
        guard let target = MallocBytes(capacity: bound) else { throw ZlibError.outOfMemory(memoryMessage) }
        return unsafe (target, try libdeflateCompressNow(copy.bytes, level: level, format: format, into: target.mutableBytes))
    }, poll: progress)
    // written <= bound <= output.count.
    unsafe output.copyMemory(from: UnsafeRawBufferPointer(rebasing: compressed.bytes[..<written]))
    return written
}

/// ``libdeflateCompress(_:level:format:into:progress:)`` returning an array.
func libdeflateCompress(
    _ input: UnsafeRawBufferPointer, level: Int32, format: FastFormat, progress: (() throws -> Void)?
) throws -> [UInt8] {
    let memoryMessage = "Out of memory while compressing data"
    guard let bound = libdeflateOutputBound(input.count, format: format) else { throw ZlibError.outOfMemory(memoryMessage) }
    try ensureAllocatable(bound, memoryMessage)
    return unsafe try [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { buffer, initialized in
        initialized = unsafe try libdeflateCompress(
            input, level: level, format: format, into: UnsafeMutableRawBufferPointer(buffer), progress: progress) ?? 0
    }
}

/// One uninterruptible libdeflate call on this thread; `output` holds at least the bound.
private func libdeflateCompressNow(
    _ input: UnsafeRawBufferPointer, level: Int32, format: FastFormat, into output: UnsafeMutableRawBufferPointer
) throws -> Int {
    guard let compressor = unsafe libdeflate_alloc_compressor(level) else {
        throw ZlibError.outOfMemory("Out of memory while compressing data")
    }
    defer { unsafe libdeflate_free_compressor(compressor) }
    // SAFETY: libdeflate reads `input` and writes at most `output.count` bytes of `output`.
    let written = switch format {
    case .zlib: unsafe libdeflate_zlib_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
    case .gzip: unsafe libdeflate_gzip_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
    case .raw: unsafe libdeflate_deflate_compress(compressor, input.baseAddress, input.count, output.baseAddress, output.count)
    }
    // The bound always fits; 0 would mean libdeflate broke its own promise.
    guard written > 0 else { throw ZlibError(kind: .zlib, message: "Error -2 while compressing data: libdeflate failed") }
    return written
}

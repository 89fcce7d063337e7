import CLibdeflate

/// From this input size libdeflate runs on a thread of its own (on a private copy of the
/// input) while the caller keeps polling for Ctrl-C: libdeflate compresses in one call
/// that cannot be interrupted, ~80 MB/s at level 6 and ~18 MB/s at level 9 here, so these
/// sizes take ~50 ms.
func libdeflateOffThreadThreshold(level: Int32) -> Int {
    level <= 6 ? 4 << 20 : 1 << 20
}

/// Compresses `input` in one call with libdeflate at `level` (2...9) into `format`'s
/// container: a standard stream any inflate reads, not byte-identical to zlib's.
/// The corresponding C functions are `libdeflate_alloc_compressor`,
/// `libdeflate_{zlib,gzip,deflate}_compress_bound` and `libdeflate_{zlib,gzip,deflate}_compress`.
func libdeflateCompress(
    _ input: UnsafeRawBufferPointer, level: Int32, format: FastFormat, progress: (() throws -> Void)?
) throws -> [UInt8] {
    guard let progress, input.count >= libdeflateOffThreadThreshold(level: level) else {
        return try libdeflateCompressNow(input, level: level, format: format)
    }
    try ensureAllocatable(input.count, "Out of memory while compressing data")
    let copy = Array(input)
    return try runOffThread({
        try copy.withUnsafeBytes { try libdeflateCompressNow($0, level: level, format: format) }
    }, poll: progress)
}

private func libdeflateCompressNow(_ input: UnsafeRawBufferPointer, level: Int32, format: FastFormat) throws -> [UInt8] {
    guard let compressor = libdeflate_alloc_compressor(level) else {
        throw ZlibError.outOfMemory("Out of memory while compressing data")
    }
    defer { libdeflate_free_compressor(compressor) }
    let bound = switch format {
    case .zlib: libdeflate_zlib_compress_bound(compressor, input.count)
    case .gzip: libdeflate_gzip_compress_bound(compressor, input.count)
    case .raw: libdeflate_deflate_compress_bound(compressor, input.count)
    }
    try ensureAllocatable(bound, "Out of memory while compressing data")
    var written = 0
    let output = [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { buffer, initialized in
        // SAFETY: libdeflate reads `input` and writes at most `buffer.count` bytes.
        written = switch format {
        case .zlib: libdeflate_zlib_compress(compressor, input.baseAddress, input.count, buffer.baseAddress, buffer.count)
        case .gzip: libdeflate_gzip_compress(compressor, input.baseAddress, input.count, buffer.baseAddress, buffer.count)
        case .raw:
            libdeflate_deflate_compress(compressor, input.baseAddress, input.count, buffer.baseAddress, buffer.count)
        }
        initialized = written
    }
    // The bound always fits; 0 would mean libdeflate broke its own promise.
    guard written > 0 else { throw ZlibError(kind: .zlib, message: "Error -2 while compressing data: libdeflate failed") }
    return output
}

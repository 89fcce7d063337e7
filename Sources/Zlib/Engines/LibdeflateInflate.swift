import CLibdeflate

/// The largest output one libdeflate attempt may produce: libdeflate decompresses in one
/// call that cannot be interrupted, and 64 MiB takes ~50 ms at its ~1.3 GB/s here, which
/// keeps Ctrl-C within 100 ms. Larger outputs go to zlib's streaming inflate.
let libdeflateAttemptLimit = 64 << 20

/// The container a `wbits` value selects, when libdeflate can decode it with results
/// identical to zlib's: full 32 KiB windows only (zlib rejects a stream whose window is
/// larger than `wbits` allows; libdeflate has no such check), no preset dictionary, no
/// gzip header CRC (zlib checks it, libdeflate does not). Anything else is zlib's.
enum LibdeflateFormat {
    case zlib, gzip, raw

    init?(wbits: Int32, input: UnsafeRawBufferPointer) {
        switch wbits {
        case 15: self = .zlib
        case 31: self = .gzip
        case -15: self = .raw
        case 47: self = unsafe input.count >= 2 && input[0] == 0x1f && input[1] == 0x8b ? .gzip : .zlib
        default: return nil
        }
        switch self {
        case .zlib:
            // RFC 1950 header as zlib's inflate checks it: CM 8, CINFO <= 7, FCHECK, no FDICT.
            guard input.count >= 2 else { return nil }
            let cmf = unsafe input[0], flg = unsafe input[1]
            guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0, flg & 0x20 == 0
            else { return nil }
        case .gzip:
            // ID1 ID2 CM FLG: no FHCRC and no reserved flags.
            guard input.count >= 4, unsafe input[0] == 0x1f, unsafe input[1] == 0x8b, unsafe input[2] == 8, unsafe input[3] & 0xE2 == 0
            else { return nil }
        case .raw:
            break
        }
    }
}

/// What one libdeflate attempt came to.
enum LibdeflateOutcome {
    /// The stream, `count` bytes of output.
    case decoded(Int)
    /// The output space was too small.
    case needsSpace
    /// Not a stream libdeflate accepts (or it could not start): zlib must decide.
    case failed
}

/// Decompresses a complete stream with libdeflate into `output`, in one call that cannot
/// be interrupted (the caller bounds `output` by ``libdeflateAttemptLimit``). Data after
/// the end of the stream is ignored, as zlib's one-shot `decompress` ignores it.
/// The corresponding C functions are `libdeflate_zlib_decompress_ex`,
/// `libdeflate_gzip_decompress_ex` and `libdeflate_deflate_decompress_ex`.
func libdeflateDecompress(
    _ input: UnsafeRawBufferPointer, format: LibdeflateFormat, into output: UnsafeMutableRawBufferPointer
) -> LibdeflateOutcome {
    guard let inputBase = input.baseAddress, let decompressor = unsafe libdeflate_alloc_decompressor() else { return .failed }
    defer { unsafe libdeflate_free_decompressor(decompressor) }
    var consumed = 0
    var produced = 0
    // SAFETY: libdeflate reads `input` and writes at most `output.count` bytes of `output`.
    let result = switch format {
    case .zlib:
        unsafe libdeflate_zlib_decompress_ex(
            decompressor, inputBase, input.count, output.baseAddress, output.count, &consumed, &produced)
    case .gzip:
        unsafe libdeflate_gzip_decompress_ex(
            decompressor, inputBase, input.count, output.baseAddress, output.count, &consumed, &produced)
    case .raw:
        unsafe libdeflate_deflate_decompress_ex(
            decompressor, inputBase, input.count, output.baseAddress, output.count, &consumed, &produced)
    }
    switch result {
    case LIBDEFLATE_SUCCESS: return .decoded(produced)
    case LIBDEFLATE_INSUFFICIENT_SPACE: return .needsSpace
    default: return .failed
    }
}

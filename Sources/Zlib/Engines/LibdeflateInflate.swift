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
        case 47: self = input.count >= 2 && input[0] == 0x1f && input[1] == 0x8b ? .gzip : .zlib
        default: return nil
        }
        switch self {
        case .zlib:
            // RFC 1950 header as zlib's inflate checks it: CM 8, CINFO <= 7, FCHECK, no FDICT.
            guard input.count >= 2 else { return nil }
            let cmf = input[0], flg = input[1]
            guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0, flg & 0x20 == 0
            else { return nil }
        case .gzip:
            // ID1 ID2 CM FLG: no FHCRC and no reserved flags.
            guard input.count >= 4, input[0] == 0x1f, input[1] == 0x8b, input[2] == 8, input[3] & 0xE2 == 0
            else { return nil }
        case .raw:
            break
        }
    }
}

/// Decompresses a complete stream with libdeflate, or returns nil where it cannot serve the
/// case (see ``LibdeflateFormat``), the output would exceed ``libdeflateAttemptLimit``, or
/// the input is not a valid stream: the caller then runs zlib, which produces the same
/// result or CPython's exact error. Data after the end of the stream is ignored, as zlib's
/// one-shot `decompress` ignores it.
///
/// libdeflate needs the whole output buffer up front: the first attempt gets 8× the input
/// (or `bufferSize` if larger; text compresses 3-5×, and pages never written cost no
/// memory), doubled on each `LIBDEFLATE_INSUFFICIENT_SPACE`.
/// `progress` runs between attempts.
/// The corresponding C functions are `libdeflate_zlib_decompress_ex`,
/// `libdeflate_gzip_decompress_ex` and `libdeflate_deflate_decompress_ex`.
func libdeflateDecompress(
    _ input: UnsafeRawBufferPointer, wbits: Int32, bufferSize: Int, progress: (() throws -> Void)?
) throws -> [UInt8]? {
    guard let format = LibdeflateFormat(wbits: wbits, input: input), let inputBase = input.baseAddress else {
        return nil
    }
    guard let decompressor = libdeflate_alloc_decompressor() else { return nil }
    defer { libdeflate_free_decompressor(decompressor) }
    let (guess, overflow) = input.count.multipliedReportingOverflow(by: 8)
    var capacity = min(max(overflow ? Int.max : guess, bufferSize, 1 << 16), libdeflateAttemptLimit)
    while true {
        // Out of memory here is zlib's to report, in CPython's words.
        guard canAllocate(capacity) else { return nil }
        var result = LIBDEFLATE_SUCCESS
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var consumed = 0
            var produced = 0
            // SAFETY: libdeflate reads `input` and writes at most `buffer.count` bytes into
            // `buffer`; `produced` bytes of it are initialised on success.
            result = switch format {
            case .zlib:
                libdeflate_zlib_decompress_ex(
                    decompressor, inputBase, input.count, buffer.baseAddress, buffer.count, &consumed, &produced)
            case .gzip:
                libdeflate_gzip_decompress_ex(
                    decompressor, inputBase, input.count, buffer.baseAddress, buffer.count, &consumed, &produced)
            case .raw:
                libdeflate_deflate_decompress_ex(
                    decompressor, inputBase, input.count, buffer.baseAddress, buffer.count, &consumed, &produced)
            }
            initialized = result == LIBDEFLATE_SUCCESS ? produced : 0
        }
        if result == LIBDEFLATE_SUCCESS { return output }
        guard result == LIBDEFLATE_INSUFFICIENT_SPACE, capacity < libdeflateAttemptLimit else { return nil }
        try progress?()
        capacity = min(capacity * 2, libdeflateAttemptLimit)
    }
}

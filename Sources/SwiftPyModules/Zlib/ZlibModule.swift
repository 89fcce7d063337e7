import SwiftPy
import Zlib

/// `swiftpy.zlib`: a drop-in for the running CPython's `zlib` whose compression,
/// decompression and checksums run with the GIL released (above small size thresholds),
/// with libdeflate and ISA-L where results are identical, plus `parallel_compress` and
/// `engine="fast"` compression.
let zlibModule = ModuleDefinition(
    name: "swiftpy.zlib",
    doc: """
        The functions in this module allow compression and decompression using the
        zlib library, which is based on GNU zip. Unlike the standard module, the work
        runs with the GIL released, so threads compress in parallel.

        adler32(string[, start]) -- Compute an Adler-32 checksum.
        adler32_combine(adler1, adler2, len2, /) -- Combine two Adler-32 checksums.
        compress(data[, level]) -- Compress data, with compression level 0-9 or -1.
        compressobj([level[, ...]]) -- Return a compressor object.
        crc32(string[, start]) -- Compute a CRC-32 checksum.
        crc32_combine(crc1, crc2, len2, /) -- Combine two CRC-32 checksums.
        decompress(string,[wbits],[bufsize]) -- Decompresses a compressed string.
        decompressobj([wbits[, zdict]]) -- Return a decompressor object.
        parallel_compress(data, ...) -- Compress on several threads into one stream.

        'wbits' is window buffer size and container format.
        Compressor objects support compress() and flush() methods; decompressor
        objects support decompress() and flush().
        """,
    functions: [
        ZlibChecksums.adler32,
        ZlibOneShot.compress,
        ZlibCompressObject.compressobj,
        ZlibChecksums.crc32,
        ZlibOneShot.decompress,
        ZlibDecompressObject.decompressobj,
        ZlibParallel.parallelCompress,
        ZlibChecksumCombine.adler32Combine,
        ZlibChecksumCombine.crc32Combine,
        ZlibVersionAttribute.getattr,
    ],
    types: [ZlibCompressObject.type, ZlibDecompressObject.type, ZlibDecompressorType.type],
    exceptions: [ExceptionDefinition("error")],
    constants: [
        ("MAX_WBITS", ZlibConstants.maxWbits),
        ("DEFLATED", ZlibConstants.deflated),
        ("DEF_MEM_LEVEL", ZlibConstants.defaultMemLevel),
        ("DEF_BUF_SIZE", ZlibConstants.defaultBufferSize),
        ("Z_NO_COMPRESSION", ZlibConstants.noCompression),
        ("Z_BEST_SPEED", ZlibConstants.bestSpeed),
        ("Z_BEST_COMPRESSION", ZlibConstants.bestCompression),
        ("Z_DEFAULT_COMPRESSION", ZlibConstants.defaultCompression),
        ("Z_FILTERED", ZlibConstants.filtered),
        ("Z_HUFFMAN_ONLY", ZlibConstants.huffmanOnly),
        ("Z_RLE", ZlibConstants.rle),
        ("Z_FIXED", ZlibConstants.fixed),
        ("Z_DEFAULT_STRATEGY", ZlibConstants.defaultStrategy),
        ("Z_NO_FLUSH", FlushMode.noFlush.rawValue),
        ("Z_PARTIAL_FLUSH", FlushMode.partialFlush.rawValue),
        ("Z_SYNC_FLUSH", FlushMode.syncFlush.rawValue),
        ("Z_FULL_FLUSH", FlushMode.fullFlush.rawValue),
        ("Z_FINISH", FlushMode.finish.rawValue),
        ("Z_BLOCK", FlushMode.block.rawValue),
        ("Z_TREES", FlushMode.trees.rawValue),
        ("ZLIB_VERSION", zlibVersion),
        ("ZLIB_RUNTIME_VERSION", zlibRuntimeVersion()),
        // The engines linked in, by name, with their versions. zlib compresses by default
        // (byte-identical to the stdlib); decompress (one-shot), crc32 and adler32 use
        // libdeflate and ISA-L where the result is identical.
        ("ENGINES", ["zlib": zlibRuntimeVersion(), "libdeflate": EngineVersions.libdeflate,
                     "isal": EngineVersions.isal]),
    ],
    // Opted in after the review in docs/free-threading.md.
    freeThreadingSafe: true
)

@c(PyInit_zlib)
public func PyInit_zlib() -> UnsafeMutableRawPointer? { unsafe zlibModule.initialize() }

import CZlib
import Synchronization

/// The smallest `blockSize` ``parallelCompress(_:level:wbits:threads:blockSize:progress:)``
/// accepts: one full deflate window. Smaller blocks would mostly be dictionary, spend more
/// on per-block flush markers and Huffman tables than they save, and give no speed-up.
public let parallelCompressMinimumBlockSize = 32 * 1024

/// The largest `blockSize` accepted: 1 GiB keeps each block within zlib's 32-bit counters
/// and bounds the memory each worker holds.
public let parallelCompressMaximumBlockSize = 1 << 30

/// The most worker threads one call starts, whatever `threads` asks for: a guard against
/// exhausting the process's threads, far above any useful degree of parallelism.
public let parallelCompressMaximumThreads = 256

/// The default `blockSize` with zlib: 128 KiB, pigz's default, which stays within 1% of
/// single-threaded compression on text.
public let parallelCompressDefaultBlockSize = 128 * 1024

/// The default `blockSize` where ISA-L deflates the blocks (`engine: .fast`, level 1):
/// 1 MiB. At ~500 MB/s per core a 128 KiB block lasts ~0.25 ms, and on 2 cores such
/// blocks reached only ~1.65× one thread (1 MiB blocks: ~1.8-1.9×; measured on 64 MB of
/// Python source). Still ~2 ms per block, far below the Ctrl-C budget.
public let parallelCompressFastBlockSize = 1 << 20

/// The block size ``parallelCompress(_:level:wbits:threads:blockSize:engine:progress:)``
/// uses when none is given: ``parallelCompressFastBlockSize`` where ISA-L deflates the
/// blocks (`.fast` at level 1 with a full window), else ``parallelCompressDefaultBlockSize``.
public func defaultParallelBlockSize(level: Int32, wbits: Int32, engine: CompressionEngine) -> Int {
    engine == .fast && level == 1 && StreamFormat(wbits: wbits)?.windowBits == 15
        ? parallelCompressFastBlockSize : parallelCompressDefaultBlockSize
}

/// Compresses `input` on up to `threads` threads into ONE standard stream (pigz's method).
///
/// The input is cut into `blockSize` blocks. Each block is raw-deflated on its own with the
/// window's worth of input before it as a preset dictionary (so matches can reach back
/// across the cut, as in a serial stream), and ends with a sync flush (the last with
/// `Z_FINISH`), which leaves it byte-aligned so the blocks can simply be concatenated.
/// Block checksums (Adler-32 or CRC-32) are computed by the workers and joined with
/// `adler32_combine`/`crc32_combine`; the header matches what `deflate` itself writes
/// (including the zlib FLEVEL bits and gzip XFL/OS bytes). Any zlib `inflate` decodes it.
///
/// - Parameters:
///   - level: -1 (6) or 0...9.
///   - wbits: 8...15 zlib wrapper (8 means 9, as in zlib), -9...-15 raw, 25...31 gzip. The
///     window size also bounds the dictionary each block gets.
///   - threads: at least 1; at most ``parallelCompressMaximumThreads`` and one per block are
///     started. With more than one, the calling thread only waits and runs `progress`; the
///     output is identical for every thread count.
///   - blockSize: ``parallelCompressMinimumBlockSize`` ...
///     ``parallelCompressMaximumBlockSize``; nil: ``parallelCompressFastBlockSize`` where
///     ISA-L deflates the blocks, else ``parallelCompressDefaultBlockSize``.
///   - progress: called on the calling thread after about every 1 MiB of input compressed;
///     if it throws, no new blocks start, running ones finish, and the error is rethrown.
/// - Throws: ``ZlibError``: "Bad compression level" (kind `.zlib`, as `compress`) for bad
///   `level`/`wbits`; `.invalidArgument` for bad `threads`/`blockSize`.
/// The corresponding C functions are `deflateInit2_`, `deflateSetDictionary`, `deflate`,
/// `deflateReset`, `crc32`/`adler32` and `crc32_combine`/`adler32_combine`.
///   - engine: `.zlib`, or `.fast`: ISA-L deflates the blocks at level 1 with a 32 KiB
///     window (each primed with the window before it, as zlib's blocks are); other levels
///     and windows stay on zlib, because libdeflate cannot take a preset dictionary and
///     blocks without one would compress worse than zlib.
public func parallelCompress(
    _ input: UnsafeRawBufferPointer, level: Int32 = -1, wbits: Int32 = 15, threads: Int,
    blockSize: Int? = nil, engine: CompressionEngine = .zlib,
    progress: (() throws -> Void)? = nil
) throws -> [UInt8] {
    let stream = unsafe try parallelCompressBlocks(
        input, level: level, wbits: wbits, threads: threads, blockSize: blockSize, engine: engine, progress: progress)
    try ensureAllocatable(stream.count, "Out of memory while compressing data")
    return unsafe [UInt8](unsafeUninitializedCapacity: stream.count) { buffer, initialized in
        unsafe stream.write(into: UnsafeMutableRawBufferPointer(buffer))
        initialized = stream.count
    }
}

/// ``parallelCompress(_:level:wbits:threads:blockSize:engine:progress:)`` without the
/// final assembly: the compressed blocks, header and trailer, which the caller writes
/// into memory of its own (Python's `parallel_compress` writes them into the result
/// `bytes` object: one copy, no intermediate array).
///
/// With `output` (memory of ``parallelCompressCapacity(inputCount:blockSize:)`` bytes, e.g.
/// the result object), the header and each block are written there, in order, by the
/// calling thread as soon as the blocks before them are done, so that when the last block
/// is in, ``ParallelCompressedStream/finishWriting(into:)`` has only the tail left to copy.
public func parallelCompressBlocks(
    _ input: UnsafeRawBufferPointer, level: Int32 = -1, wbits: Int32 = 15, threads: Int,
    blockSize: Int? = nil, engine: CompressionEngine = .zlib,
    progress: (() throws -> Void)? = nil, writingInto output: UnsafeMutableRawBufferPointer? = nil
) throws -> ParallelCompressedStream {
    guard threads >= 1 else { throw ZlibError.invalidArgument("threads must be at least 1") }
    let blockSize = blockSize ?? defaultParallelBlockSize(level: level, wbits: wbits, engine: engine)
    guard (parallelCompressMinimumBlockSize...parallelCompressMaximumBlockSize).contains(blockSize) else {
        throw ZlibError.invalidArgument(
            "blockSize must be between \(parallelCompressMinimumBlockSize) and \(parallelCompressMaximumBlockSize)")
    }
    guard level == Z_DEFAULT_COMPRESSION || (0...9).contains(level),
          let format = StreamFormat(wbits: wbits)
    else { throw ZlibError.badCompressionLevel }
    let effectiveLevel = level == Z_DEFAULT_COMPRESSION ? 6 : level

    // Ceiling division without overflow; an empty input is one empty final block.
    let blockCount = max(1, input.count / blockSize + (input.count % blockSize == 0 ? 0 : 1))
    let shared = unsafe SharedInput(buffer: input)
    let results = BlockResults(count: blockCount)
    let windowSize = 1 << Int(format.windowBits)
    let checksumKind = format.checksum
    let useIsal = engine == .fast && effectiveLevel == 1 && format.windowBits == 15
    let writer = unsafe output.map { unsafe PrefixWriter(output: $0, header: BlockResults.header(format, level: effectiveLevel)) }

    var sinceProgress = 0
    try runParallel(
        count: blockCount, threads: min(threads, parallelCompressMaximumThreads),
        makeContext: { () throws -> BlockEngine in
            useIsal ? .isal(try IsalDeflater()) : .zlib(try BlockDeflater(level: effectiveLevel, windowBits: format.windowBits))
        },
        process: { deflater, index in
            let start = index * blockSize
            let end = unsafe min(start + blockSize, shared.buffer.count)
            let block = unsafe shared.range(start, end)
            let dictionary = unsafe shared.range(max(0, start - windowSize), start)
            let last = index == blockCount - 1
            // Output in malloc memory shrunk to fit: a worker must not trap on a failed
            // allocation, and 5,600 blocks of 700 MB of zeros each keeping a 128 KiB
            // array (for ~1 KiB of output) would hold the input's size again.
            let bytes = switch deflater {
            case .zlib(let zlib): unsafe try zlib.compress(block, dictionary: dictionary, last: last)
            case .isal(let isal):
                unsafe try isal.compressBlock(block, format: .raw, dictionary: dictionary, last: last,
                                       initialCapacity: block.count &+ block.count >> 10 &+ 64)
            }
            let check: UInt32 = switch checksumKind {
            case .adler32: unsafe adler32(block)
            case .crc32: unsafe crc32(block)
            case .none: 0
            }
            results.store(index, Block(bytes: bytes, check: check, length: block.count))
        },
        completed: { index in
            writer?.blockFinished(index, results)
            guard let progress else { return }
            sinceProgress += min(blockSize, input.count - index * blockSize)
            if sinceProgress >= 1 << 20 {
                sinceProgress = 0
                try progress()
            }
        })
    return try results.stream(format: format, level: effectiveLevel,
                              written: writer.map { (blocks: $0.blocks, bytes: $0.bytes) } ?? (0, 0))
}

/// Memory for the stream ``parallelCompressBlocks(_:level:wbits:threads:blockSize:engine:progress:writingInto:)``
/// makes of `inputCount` bytes in `blockSize` blocks, generous because only the pages
/// written are touched: the input plus a quarter (zlib's bound where stored blocks are
/// impossible, windows under 32 KiB, is ~13% over the input), plus 512 bytes per block and
/// per 64 KiB (ISA-L's Huffman headers, up to 328 bytes per ~64K-token block), plus header
/// and trailer. A stream that still does not fit is reported by its `count`, and the caller
/// writes it elsewhere. nil if the sum overflows `Int`.
public func parallelCompressCapacity(inputCount: Int, blockSize: Int) -> Int? {
    guard inputCount >= 0, blockSize > 0 else { return nil }
    let blocks = max(1, inputCount / blockSize + (inputCount % blockSize == 0 ? 0 : 1))
    let (perBlock, overflow1) = (blocks &+ inputCount >> 16).multipliedReportingOverflow(by: 512)
    let (total, overflow2) = inputCount.addingReportingOverflow(inputCount >> 2)
    let (capacity, overflow3) = total.addingReportingOverflow(perBlock &+ 64)
    return overflow1 || overflow2 || overflow3 ? nil : capacity
}

/// Writes the header, then each block in order as soon as the blocks before it are done,
/// into the caller's output (``parallelCompressBlocks(_:level:wbits:threads:blockSize:engine:progress:writingInto:)``).
/// Used on the calling thread only, which otherwise just waits for the workers: the copy
/// that used to follow the last block (the whole stream, ~9 MB for 32 MB of source at
/// level 1) overlaps the compression instead.
///
/// `@safe`: the pointer is the caller's output, valid for the whole call that owns this
/// writer, and every write is bounds-checked against it first.
@safe private final class PrefixWriter {
    private let output: UnsafeMutableRawBufferPointer
    /// Blocks written.
    private(set) var blocks = 0
    /// Bytes written: the header and those blocks.
    private(set) var bytes = 0
    private var finished: Set<Int> = []
    /// Set when something did not fit: nothing more is written (the caller then writes the
    /// whole stream elsewhere).
    private var full = false

    init(output: UnsafeMutableRawBufferPointer, header: [UInt8]) {
        unsafe self.output = unsafe output
        guard header.count <= output.count else { full = true; return }
        unsafe header.withUnsafeBytes { unsafe output.copyMemory(from: $0) }
        bytes = header.count
    }

    func blockFinished(_ index: Int, _ results: BlockResults) {
        finished.insert(index)
        while !full, finished.remove(blocks) != nil {
            guard let block = results.block(blocks), unsafe block.bytes.count <= output.count - bytes else {
                full = true
                return
            }
            // SAFETY: [bytes, bytes + block size) lies inside `output` (checked above); the
            // block's memory is complete (its worker stored it before reporting it done).
            unsafe UnsafeMutableRawBufferPointer(rebasing: output[bytes...]).copyMemory(from: block.bytes.bytes)
            bytes += block.bytes.count
            blocks += 1
        }
    }
}

/// `parallelCompress` for an array.
public func parallelCompress(
    _ input: [UInt8], level: Int32 = -1, wbits: Int32 = 15, threads: Int,
    blockSize: Int? = nil, engine: CompressionEngine = .zlib,
    progress: (() throws -> Void)? = nil
) throws -> [UInt8] {
    unsafe try input.withUnsafeBytes {
        unsafe try parallelCompress($0, level: level, wbits: wbits, threads: threads, blockSize: blockSize, engine: engine,
                             progress: progress)
    }
}

/// A worker's block compressor: zlib's, or ISA-L's for `engine: .fast` at level 1.
private enum BlockEngine {
    case zlib(BlockDeflater)
    case isal(IsalDeflater)
}

/// The container `wbits` selects, validated exactly as `deflateInit2` does.
private struct StreamFormat {
    enum Wrapper { case zlib, gzip, raw }
    enum Checksum { case adler32, crc32, none }
    let wrapper: Wrapper
    let windowBits: Int32

    init?(wbits: Int32) {
        switch wbits {
        case 8...15: (wrapper, windowBits) = (.zlib, max(wbits, 9))
        case -15 ... -9: (wrapper, windowBits) = (.raw, -wbits)
        case 25...31: (wrapper, windowBits) = (.gzip, wbits - 16)
        default: return nil
        }
    }

    var checksum: Checksum {
        switch wrapper {
        case .zlib: .adler32
        case .gzip: .crc32
        case .raw: .none
        }
    }
}

/// The caller's input, read by the workers.
///
/// SAFETY (`@unchecked Sendable`): the buffer is only read, and `runParallel` does not return
/// before every worker has finished, so the pointer outlives all its uses.
@safe private struct SharedInput: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer

    func range(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        unsafe UnsafeRawBufferPointer(rebasing: buffer[start..<end])
    }
}

private struct Block: Sendable {
    var bytes: MallocBytes
    var check: UInt32
    var length: Int
}

/// The compressed blocks, each stored by the worker that made it.
private final class BlockResults: Sendable {
    private let slots: Mutex<[Block?]>

    init(count: Int) { slots = Mutex([Block?](repeating: nil, count: count)) }

    func store(_ index: Int, _ block: Block) {
        slots.withLock { $0[index] = block }
    }

    /// Block `index`, if its worker has stored it.
    func block(_ index: Int) -> Block? {
        slots.withLock { $0[index] }
    }

    /// Header + blocks + trailer, the checksums joined. `written`: what a `PrefixWriter`
    /// already wrote to the caller's output.
    func stream(format: StreamFormat, level: Int32, written: (blocks: Int, bytes: Int)) throws -> ParallelCompressedStream {
        let blocks = slots.withLock { $0 }
        var check: UInt32 = switch format.checksum {
        case .adler32: 1
        case .crc32, .none: 0
        }
        var parts: [MallocBytes] = []
        parts.reserveCapacity(blocks.count)
        var inputLength = 0
        for block in blocks {
            guard let block else {
                throw ZlibError(kind: .zlib, code: Z_STREAM_ERROR, message: "parallel compression lost a block")
            }
            switch format.checksum {
            case .adler32: check = adler32Combine(check, block.check, length2: block.length)
            case .crc32: check = crc32Combine(check, block.check, length2: block.length)
            case .none: break
            }
            parts.append(block.bytes)
            inputLength += block.length
        }
        let trailer: [UInt8] = switch format.wrapper {
        case .zlib: [UInt8(check >> 24), UInt8(truncatingIfNeeded: check >> 16),
                     UInt8(truncatingIfNeeded: check >> 8), UInt8(truncatingIfNeeded: check)]
        case .gzip: littleEndian(check) + littleEndian(UInt32(truncatingIfNeeded: inputLength))
        case .raw: []
        }
        return ParallelCompressedStream(header: Self.header(format, level: level), blocks: parts, trailer: trailer,
                                        written: written)
    }

    /// The header `deflate` writes for this format and level with the default strategy.
    static func header(_ format: StreamFormat, level: Int32) -> [UInt8] {
        switch format.wrapper {
        case .raw:
            return []
        case .zlib:
            // RFC 1950: CM 8, CINFO = window bits - 8; FLEVEL as deflate.c chooses it.
            let levelFlags: UInt32 = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3
            var header = (UInt32(Z_DEFLATED) + (UInt32(format.windowBits) - 8) << 4) << 8 | levelFlags << 6
            header += 31 - header % 31
            return [UInt8(truncatingIfNeeded: header >> 8), UInt8(truncatingIfNeeded: header)]
        case .gzip:
            // RFC 1952 with no name, no mtime; XFL and OS as deflate.c writes them.
            let extraFlags: UInt8 = level == 9 ? 2 : level < 2 ? 4 : 0
            return [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, gzipOSCode]
        }
    }
}

/// A compressed stream from ``parallelCompressBlocks(_:level:wbits:threads:blockSize:engine:progress:)``:
/// header, blocks and trailer, each in memory of its own until written out.
///
/// `@unchecked Sendable`: immutable after creation (the block memory is never written
/// again), so it may be written out from any thread, e.g. with the GIL released.
public final class ParallelCompressedStream: PiecewiseOutput, @unchecked Sendable {
    private let header: [UInt8]
    private let blocks: [MallocBytes]
    private let trailer: [UInt8]
    /// What was already written to the `writingInto` output while the blocks came in.
    private let written: (blocks: Int, bytes: Int)
    /// The stream's size in bytes.
    public let count: Int

    init(header: [UInt8], blocks: [MallocBytes], trailer: [UInt8], written: (blocks: Int, bytes: Int) = (0, 0)) {
        self.header = header
        self.blocks = blocks
        self.trailer = trailer
        self.written = written
        count = blocks.reduce(header.count + trailer.count) { $0 + $1.count }
    }

    /// Writes the whole stream to the start of `output`, which must hold ``count`` bytes.
    public func write(into output: UnsafeMutableRawBufferPointer) {
        unsafe write(into: output, fromBlock: 0, at: 0, header: true)
    }

    /// Writes what is missing from the `writingInto` output that made this stream (the
    /// same memory, which must hold ``count`` bytes): the blocks not yet written, and the
    /// trailer.
    public func finishWriting(into output: UnsafeMutableRawBufferPointer) {
        // Nothing written means the header did not fit then; it is written now.
        unsafe write(into: output, fromBlock: written.blocks, at: written.bytes, header: written.bytes == 0)
    }

    private func write(into output: UnsafeMutableRawBufferPointer, fromBlock first: Int, at start: Int, header withHeader: Bool) {
        precondition(output.count >= count, "ParallelCompressedStream.write: \(output.count) bytes for \(count)")
        var offset = start
        func append(_ part: UnsafeRawBufferPointer) {
            unsafe UnsafeMutableRawBufferPointer(rebasing: output[offset...]).copyMemory(from: part)
            offset += part.count
        }
        if withHeader { unsafe header.withUnsafeBytes { unsafe append($0) } }
        for block in blocks[first...] { unsafe append(block.bytes) }
        unsafe trailer.withUnsafeBytes { unsafe append($0) }
    }
}

private func littleEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
     UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
}

/// The OS byte this zlib build writes in gzip headers (3 on Unix; zutil.h's `OS_CODE` is
/// not exported), read once from a header zlib itself produced.
private let gzipOSCode: UInt8 = {
    let empty = unsafe (try? compress(UnsafeRawBufferPointer(start: nil, count: 0), level: 6, wbits: 31)) ?? []
    return empty.count > 9 ? empty[9] : 3
}()

/// One worker's raw deflate stream, reset between blocks.
private final class BlockDeflater {
    private var stream = ZStream(kind: .deflate)
    private var used = false

    init(level: Int32, windowBits: Int32) throws {
        let code = stream.initDeflate(
            level: level, method: Z_DEFLATED, wbits: -windowBits, memLevel: ZlibConstants.defaultMemLevel,
            strategy: Z_DEFAULT_STRATEGY)
        switch code {
        case Z_OK: break
        case Z_MEM_ERROR: throw ZlibError.outOfMemory("Out of memory while compressing data")
        case Z_STREAM_ERROR: throw ZlibError.badCompressionLevel
        default: throw stream.error(code, .compressing)
        }
    }

    /// Deflates one block: raw, primed with `dictionary`, ending byte-aligned with a sync
    /// flush, or with the final block when `last`.
    func compress(_ block: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer, last: Bool) throws -> MallocBytes {
        let s = unsafe stream.pointer
        if used {
            let code = unsafe deflateReset(s)
            if code != Z_OK { throw unsafe streamError(s, code, .compressing) }
        }
        used = true
        if let base = dictionary.baseAddress, unsafe !dictionary.isEmpty {
            // SAFETY: zlib copies the dictionary (at most one window) into its own window.
            let code = unsafe deflateSetDictionary(s, base.assumingMemoryBound(to: Bytef.self), UInt32(dictionary.count))
            if code != Z_OK { throw unsafe streamError(s, code, .compressing) }
        }
        let flush = last ? Z_FINISH : Z_SYNC_FLUSH
        // A sync flush appends an empty stored block (5 bytes, plus bits pending) that
        // deflateBound does not count.
        let bound = unsafe Int(clamping: deflateBound(s, uLong(block.count))) &+ 16
        let feeder = unsafe InputFeeder(block)
        var output = try MallocOutput(initialCapacity: bound, memoryMessage: "Out of memory while compressing data")
        unsafe feeder.start(s)
        defer { unsafe InputFeeder.clear(s) }
        _ = unsafe try output.fill(s) {
            while true {
                let mode = unsafe feeder.remaining(s) == 0 ? flush : Z_NO_FLUSH
                let err = unsafe deflate(s, mode)
                if err == Z_STREAM_END { return false }
                if err != Z_OK && err != Z_BUF_ERROR { throw unsafe streamError(s, err, .compressing) }
                if unsafe s.pointee.avail_out == 0 { return true }
                if unsafe feeder.remaining(s) > 0 {
                    unsafe feeder.feed(s)
                } else if mode == Z_FINISH {
                    throw unsafe streamError(s, err, .compressing)
                } else {
                    return false
                }
            }
        }
        return output.finish()
    }
}

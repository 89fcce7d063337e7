import CZlib

/// Sizes at or above this are probed with `malloc` before Swift allocates them, because a
/// failed Swift allocation traps (and would take the whole Python process down) while
/// CPython raises `MemoryError`. 1 MiB: from there a probe (an mmap/munmap pair, a few µs)
/// costs well under 1% of the zlib work that fills the memory; smaller allocations failing
/// means the process is out of memory anyway.
private let probeThreshold = 1 << 20

/// CPython's message when an output buffer cannot be allocated (its blocks output buffer).
let outputBufferMessage = "Unable to allocate output buffer."

/// Throws `MemoryError`-kind errors instead of letting a huge Swift allocation trap.
func ensureAllocatable(_ byteCount: Int, _ message: String = outputBufferMessage) throws(ZlibError) {
    guard byteCount >= probeThreshold else { return }
    guard canAllocate(byteCount) else { throw .outOfMemory(message) }
}

/// A C stream struct with zlib's output fields (`next_out`, `avail_out`): zlib's `z_stream`
/// and ISA-L's `isal_zstream`, so one collector serves both engines.
protocol OutputWindow {
    var next_out: UnsafeMutablePointer<UInt8>! { get set }
    var avail_out: UInt32 { get set }
}

extension z_stream: OutputWindow {}

/// How CPython sizes the output buffers of its compression calls — which matters for
/// byte-identical output at level 0: zlib's stored blocks end where the output space
/// does, so the sequence of `avail_out` values shapes the stream.
public enum OutputGrowth: Sendable, Equatable {
    /// CPython 3.9: one buffer from 16 KiB (`DEF_BUF_SIZE`), doubled when full.
    case cpython39
    /// CPython 3.10+: the blocks output buffer: 32 KiB, 64 KiB, 256 KiB, 1 MiB, 4, 8, 16,
    /// 16, 32, 32, 32, 32, 64, 64, 128, 128 MiB, then 256 MiB blocks.
    case cpython310

    static let blocks: [Int] = [
        32 * 1024, 64 * 1024, 256 * 1024, 1 * mebibyte, 4 * mebibyte, 8 * mebibyte, 16 * mebibyte, 16 * mebibyte,
        32 * mebibyte, 32 * mebibyte, 32 * mebibyte, 32 * mebibyte, 64 * mebibyte, 64 * mebibyte,
        128 * mebibyte, 128 * mebibyte, 256 * mebibyte,
    ]
    private static let mebibyte = 1_048_576
}

/// Where an engine's output loop writes: ``OutputCollector`` (Swift arrays) or
/// ``MallocOutput`` (one `malloc` buffer, for worker threads), so one loop serves both.
protocol OutputSink: ~Copyable {
    /// Installs fresh output space in `stream` and calls `body` until it returns `false`;
    /// `body` returns `true` only when it stopped because `avail_out` hit 0.
    mutating func fill<Stream: OutputWindow>(
        _ stream: UnsafeMutablePointer<Stream>, _ body: () throws -> Bool) throws -> Bool
}

/// Output gathered from zlib calls that write straight into Swift arrays.
///
/// zlib writes each chunk in place (no staging buffer). Chunks grow geometrically, so
/// assembling the result costs at most one copy of the output, and none when the first
/// chunk was big enough.
struct OutputCollector: ~Copyable, OutputSink {
    /// The largest chunk allocated at once: growth stays geometric up to here, then linear,
    /// which bounds over-allocation for very large outputs.
    static let maxChunk = 1 << 28

    private var chunks: [[UInt8]] = []
    /// Bytes produced so far.
    private(set) var count = 0
    /// Total output never exceeds this (CPython's `max_length` hard limit).
    let limit: Int
    private var nextCapacity: Int

    /// The most output space handed to zlib per call (at most `UInt32.max`).
    let pieceLimit: Int

    /// When set, chunk sizes follow CPython's blocks output buffer exactly.
    private var blockSchedule: Bool = false
    /// Chunks allocated so far (the index into CPython's block sizes).
    private var allocatedChunks = 0
    /// The `MemoryError` text when a chunk cannot be allocated (CPython's words differ
    /// between its output buffers).
    var memoryMessage = outputBufferMessage

    init(initialCapacity: Int, limit: Int = Int.max, pieceLimit: Int = Int(UInt32.max)) {
        self.limit = max(0, limit)
        self.pieceLimit = max(1, min(pieceLimit, Int(UInt32.max)))
        nextCapacity = max(1, min(initialCapacity, Self.maxChunk))
    }

    /// A collector whose chunks have the sizes CPython's compression calls use (see
    /// ``OutputGrowth``), so zlib sees the same `avail_out` values.
    init(growth: OutputGrowth, limit: Int = Int.max, pieceLimit: Int = Int(UInt32.max)) {
        switch growth {
        case .cpython39:
            // 16 KiB, then each new chunk as large as everything so far: the free space
            // CPython 3.9's doubling realloc leaves.
            self.init(initialCapacity: ZlibConstants.defaultBufferSize, limit: limit, pieceLimit: pieceLimit)
        case .cpython310:
            self.init(initialCapacity: OutputGrowth.blocks[0], limit: limit, pieceLimit: pieceLimit)
            blockSchedule = true
        }
    }

    /// Installs fresh output space in `stream` and calls `body`, again and again, until
    /// `body` returns `false` (done) or the limit is reached.
    ///
    /// `body` runs zlib and returns `true` only when it stopped because `avail_out` hit 0
    /// and it needs more room (CPython's inner `while (avail_out == 0)` loop).
    /// - Returns: `true` if output stopped because the limit was reached.
    mutating func fill<Stream: OutputWindow>(
        _ stream: UnsafeMutablePointer<Stream>,
        _ body: () throws -> Bool
    ) throws -> Bool {
        defer {
            unsafe stream.pointee.next_out = nil
            unsafe stream.pointee.avail_out = 0
        }
        while true {
            let room = limit - count
            if room <= 0 { return true }
            let capacity = min(nextCapacity, room)
            try ensureAllocatable(capacity, memoryMessage)
            var wantsMore = false
            var failure: (any Error)?
            let chunk = unsafe [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                guard let base = buffer.baseAddress else { return }
                var written = 0
                repeat {
                    let piece = min(capacity - written, pieceLimit)
                    // SAFETY: [base + written, base + written + piece) lies inside the
                    // uninitialised capacity of `chunk`, which zlib fills in place; the
                    // bytes it reports as written become the array's initialised prefix.
                    // next_out is cleared (defer above) before the array can move or die.
                    unsafe stream.pointee.next_out = unsafe base + written
                    unsafe stream.pointee.avail_out = UInt32(piece)
                    do {
                        wantsMore = try body()
                    } catch {
                        failure = error
                    }
                    unsafe written += piece - Int(stream.pointee.avail_out)
                } while failure == nil && wantsMore && written < capacity
                initialized = written
            }
            if let failure { throw failure }
            count += chunk.count
            if !chunk.isEmpty { chunks.append(chunk) }
            allocatedChunks += 1
            if blockSchedule {
                nextCapacity = OutputGrowth.blocks[min(allocatedChunks, OutputGrowth.blocks.count - 1)]
            } else {
                nextCapacity = min(max(nextCapacity, count), Self.maxChunk)
            }
            if !wantsMore { return false }
        }
    }

    /// The output as its chunks, for a caller that copies them into memory of its own.
    consuming func finishChunks() -> OutputChunks {
        OutputChunks(chunks: chunks, count: count)
    }

    /// The output as one array: the single chunk itself, or one copy of all of them.
    consuming func finish() throws(ZlibError) -> [UInt8] {
        try OutputChunks(chunks: chunks, count: count).joined(memoryMessage: memoryMessage)
    }
}

/// A call's output in the chunks it was written in: Python's streaming `decompress` copies
/// them straight into its result, once. Joined into an array first, a 32 MB output was
/// written three times (chunks, join, result) and streaming ran at 0.75× the stdlib's
/// speed; CPython's own blocks sizes keep every chunk at most 16 MiB up to 32 MB of
/// output, so glibc serves them from memory freed by earlier calls, as it does the
/// stdlib's.
/// Output held in several pieces that a caller writes, in order, into memory of its own
/// (Python's result `bytes`): ``OutputChunks`` and ``ParallelCompressedStream``.
public protocol PiecewiseOutput: Sendable {
    /// Bytes in all.
    var count: Int { get }
    /// Writes the pieces, in order, to the start of `output` (at least ``count`` bytes).
    func write(into output: UnsafeMutableRawBufferPointer)
}

public struct OutputChunks: PiecewiseOutput {
    let chunks: [[UInt8]]
    /// Bytes in all.
    public let count: Int

    /// Writes the chunks, in order, to the start of `output` (at least ``count`` bytes).
    public func write(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= count, "OutputChunks.write: \(output.count) bytes for \(count)")
        var offset = 0
        for chunk in chunks {
            unsafe chunk.withUnsafeBytes { unsafe UnsafeMutableRawBufferPointer(rebasing: output[offset...]).copyMemory(from: $0) }
            offset += chunk.count
        }
    }

    /// The chunks joined: the single chunk itself, or one copy of all of them.
    func joined(memoryMessage: String = outputBufferMessage) throws(ZlibError) -> [UInt8] {
        if chunks.count <= 1 { return chunks.first ?? [] }
        try ensureAllocatable(count, memoryMessage)
        return unsafe [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            unsafe write(into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }
}

/// Output written into ONE `malloc` buffer, grown with `realloc` and shrunk to fit at the
/// end: for code on worker threads, where no allocation may trap (see ``MallocBytes``).
/// Every allocation failure throws `MemoryError`-kind ``ZlibError`` with `memoryMessage`.
@safe struct MallocOutput: ~Copyable, OutputSink {
    private var base: UnsafeMutableRawPointer?
    private var capacity: Int
    private(set) var count = 0
    let pieceLimit: Int
    let memoryMessage: String

    init(initialCapacity: Int, pieceLimit: Int = Int(UInt32.max), memoryMessage: String) throws(ZlibError) {
        capacity = max(64, initialCapacity)
        self.pieceLimit = max(1, min(pieceLimit, Int(UInt32.max)))
        self.memoryMessage = memoryMessage
        guard let memory = unsafe mallocBytes(capacity) else { throw .outOfMemory(memoryMessage) }
        unsafe base = unsafe memory
    }

    deinit { unsafe freeBytes(base) }

    mutating func fill<Stream: OutputWindow>(
        _ stream: UnsafeMutablePointer<Stream>, _ body: () throws -> Bool
    ) throws -> Bool {
        var (base, capacity, count) = unsafe (self.base, self.capacity, self.count)
        defer { unsafe (self.base, self.capacity, self.count) = unsafe (base, capacity, count) }
        return unsafe try fillPieces(stream, count: &count, pieceLimit: pieceLimit, space: { used in
            if used == capacity {
                let grown = capacity + max(capacity, 64)
                guard let memory = unsafe reallocBytes(base, grown) else { throw ZlibError.outOfMemory(memoryMessage) }
                unsafe (base, capacity) = unsafe (memory, grown)
            }
            // SAFETY: `base` owns `capacity` bytes; `fillPieces` installs a new window after
            // each growth (the engine never sees the old one) and clears it before the free.
            return unsafe UnsafeMutableRawBufferPointer(start: base.map { unsafe $0 + used }, count: capacity - used)
        }, body)
    }

    /// The output, shrunk to its size (kept as it is if the shrinking `realloc` fails).
    consuming func finish() -> MallocBytes {
        let memory = unsafe reallocBytes(base, count) ?? base
        unsafe base = nil
        return unsafe MallocBytes(base: memory, count: count)
    }
}

/// Output written into memory the caller owns (a Python `bytes` being built), with no
/// growth: when the space runs out while the engine still has output to write (also when
/// a stream fills it exactly: the engine asks for room once more to finish),
/// ``overflowed`` is set and the caller takes a growing sink instead.
@safe struct FixedOutput: ~Copyable, OutputSink {
    private let memory: UnsafeMutableRawBufferPointer
    private(set) var count = 0
    private(set) var overflowed = false
    let pieceLimit: Int

    init(_ memory: UnsafeMutableRawBufferPointer, pieceLimit: Int = Int(UInt32.max)) {
        unsafe self.memory = unsafe memory
        self.pieceLimit = max(1, min(pieceLimit, Int(UInt32.max)))
    }

    mutating func fill<Stream: OutputWindow>(
        _ stream: UnsafeMutablePointer<Stream>, _ body: () throws -> Bool
    ) throws -> Bool {
        var count = self.count
        defer { self.count = count }
        let memory = unsafe self.memory
        let full = unsafe try fillPieces(stream, count: &count, pieceLimit: pieceLimit, space: { used in
            unsafe used < memory.count ? UnsafeMutableRawBufferPointer(rebasing: memory[used...]) : nil
        }, body)
        if full { overflowed = true }
        return full
    }
}

/// The loop of the sinks that write into raw memory (``MallocOutput``, ``FixedOutput``):
/// installs `space(count)` — the memory from byte `count` on, in pieces of at most
/// `pieceLimit` — as the stream's output window, calls `body` until it returns false, and
/// counts what the engine wrote. Returns true only when `space` had no memory left (nil
/// or empty) while `body` still wanted more (an engine that filled the last window
/// exactly asks once more, so an exact fit counts as full: the caller then grows).
private func fillPieces<Stream: OutputWindow>(
    _ stream: UnsafeMutablePointer<Stream>, count: inout Int, pieceLimit: Int,
    space: (_ count: Int) throws -> UnsafeMutableRawBufferPointer?, _ body: () throws -> Bool
) throws -> Bool {
    defer {
        unsafe stream.pointee.next_out = nil
        unsafe stream.pointee.avail_out = 0
    }
    while true {
        guard let free = unsafe try space(count), let base = free.baseAddress, unsafe !free.isEmpty else { return true }
        let piece = min(free.count, pieceLimit)
        // SAFETY: [base, base + piece) lies inside the memory `space` lent; next_out is
        // cleared (defer above) before that memory can move or go away.
        unsafe stream.pointee.next_out = unsafe base.assumingMemoryBound(to: UInt8.self)
        unsafe stream.pointee.avail_out = UInt32(piece)
        let wantsMore = try body()
        unsafe count += piece - Int(stream.pointee.avail_out)
        if !wantsMore { return false }
    }
}


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

/// Output gathered from zlib calls that write straight into Swift arrays.
///
/// zlib writes each chunk in place (no staging buffer). Chunks grow geometrically, so
/// assembling the result costs at most one copy of the output, and none when the first
/// chunk was big enough.
struct OutputCollector: ~Copyable {
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

    init(initialCapacity: Int, limit: Int = Int.max, pieceLimit: Int = Int(UInt32.max)) {
        self.limit = max(0, limit)
        self.pieceLimit = max(1, min(pieceLimit, Int(UInt32.max)))
        nextCapacity = max(1, min(initialCapacity, Self.maxChunk))
    }

    /// Installs fresh output space in `stream` and calls `body`, again and again, until
    /// `body` returns `false` (done) or the limit is reached.
    ///
    /// `body` runs zlib and returns `true` only when it stopped because `avail_out` hit 0
    /// and it needs more room (CPython's inner `while (avail_out == 0)` loop).
    /// - Returns: `true` if output stopped because the limit was reached.
    mutating func fill(
        _ stream: UnsafeMutablePointer<z_stream>,
        _ body: () throws -> Bool
    ) throws -> Bool {
        defer {
            stream.pointee.next_out = nil
            stream.pointee.avail_out = 0
        }
        while true {
            let room = limit - count
            if room <= 0 { return true }
            let capacity = min(nextCapacity, room)
            try ensureAllocatable(capacity)
            var wantsMore = false
            var failure: (any Error)?
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                guard let base = buffer.baseAddress else { return }
                var written = 0
                repeat {
                    let piece = min(capacity - written, pieceLimit)
                    // SAFETY: [base + written, base + written + piece) lies inside the
                    // uninitialised capacity of `chunk`, which zlib fills in place; the
                    // bytes it reports as written become the array's initialised prefix.
                    // next_out is cleared (defer above) before the array can move or die.
                    stream.pointee.next_out = base + written
                    stream.pointee.avail_out = UInt32(piece)
                    do {
                        wantsMore = try body()
                    } catch {
                        failure = error
                    }
                    written += piece - Int(stream.pointee.avail_out)
                } while failure == nil && wantsMore && written < capacity
                initialized = written
            }
            if let failure { throw failure }
            count += chunk.count
            if !chunk.isEmpty { chunks.append(chunk) }
            nextCapacity = min(max(nextCapacity, count), Self.maxChunk)
            if !wantsMore { return false }
        }
    }

    /// The output as one array: the single chunk itself, or one copy of all of them.
    consuming func finish() throws(ZlibError) -> [UInt8] {
        if chunks.count <= 1 { return chunks.first ?? [] }
        try ensureAllocatable(count)
        let parts = chunks
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var offset = 0
            for part in parts {
                part.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[offset...])
                        .copyMemory(from: source)
                }
                offset += part.count
            }
            initialized = offset
        }
    }
}

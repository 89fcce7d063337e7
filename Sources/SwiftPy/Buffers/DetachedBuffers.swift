import CPython

/// Several pinned buffers lent to detached code at once: read-only spans of the
/// `reading` buffers and mutable spans of the `writing` ones, from
/// ``Python/detach(reading:writing:if:_:)``.
///
/// The value cannot escape the detached closure, and neither can the spans it lends
/// (they are `~Escapable` and depend on it). Each written buffer is lent once, and
/// overlaps with no other buffer of the call (checked before the GIL is released), so
/// a `MutableRawSpan` never aliases another span.
@safe public struct DetachedBuffers: ~Copyable, ~Escapable {
    @usableFromInline let reads: UnsafeBufferPointer<UnsafeRawBufferPointer>
    @usableFromInline let writes: UnsafeBufferPointer<UnsafeMutableRawBufferPointer>
    /// Which written buffers were lent already (one span each).
    @usableFromInline var lent: [Bool]

    @usableFromInline @_lifetime(borrow reads, borrow writes)
    init(reads: borrowing UnsafeBufferPointer<UnsafeRawBufferPointer>,
         writes: borrowing UnsafeBufferPointer<UnsafeMutableRawBufferPointer>) {
        unsafe self.reads = unsafe copy reads
        unsafe self.writes = unsafe copy writes
        self.lent = Array(repeating: false, count: writes.count)
    }

    /// How many buffers are read.
    public var readCount: Int { unsafe reads.count }
    /// How many buffers are written.
    public var writeCount: Int { unsafe writes.count }

    /// The bytes of the `index`th `reading` buffer.
    @_lifetime(copy self)
    public func reading(_ index: Int) -> RawSpan {
        unsafe precondition(reads.indices.contains(index), unsafe "DetachedBuffers.reading(\(index)): only \(reads.count) buffers are read")
        // SAFETY: the buffer stays pinned until `detach` returns; the span cannot
        // outlive this value, which cannot outlive the detached closure.
        let span = unsafe reads[index].bytes
        return unsafe _overrideLifetime(span, copying: self)
    }

    /// The bytes of the `index`th `writing` buffer, once per buffer.
    @_lifetime(copy self)
    public mutating func writing(_ index: Int) -> MutableRawSpan {
        unsafe precondition(writes.indices.contains(index), unsafe "DetachedBuffers.writing(\(index)): only \(writes.count) buffers are written")
        precondition(!lent[index], "DetachedBuffers.writing(\(index)) lent twice: one mutable span per buffer")
        lent[index] = true
        // SAFETY: pinned writable memory that overlaps no other buffer of this call (see
        // `Python.detach(reading:writing:)`), lent once, for no longer than this value.
        let span = unsafe writes[index].mutableBytes
        return unsafe _overrideLifetime(span, copying: self)
    }
}

extension Python {
    /// Runs `body` with the GIL released (when `condition` is true) on any number of
    /// pinned buffers: `reading` ones as read-only spans, `writing` ones as mutable
    /// spans (a matrix product `c = a · b`, a copy, a checksum of several inputs).
    ///
    /// Throws `BufferError` before releasing the GIL if a `writing` buffer is read-only
    /// or overlaps another buffer of the call (write in place through `writing` alone).
    /// Every buffer stays pinned until `body` returns.
    ///
    /// ```swift
    /// let dot = try py.detach(reading: [a, b]) { buffers in
    ///     let x = buffers.reading(0), y = buffers.reading(1)
    ///     ...
    /// }
    /// ```
    public func detach<R: Sendable>(
        reading: [PyBuffer] = [], writing: [PyBuffer] = [], if condition: Bool = true,
        _ body: @Sendable (inout DetachedBuffers) throws -> R
    ) throws -> R {
        let reads = unsafe reading.map { unsafe UnsafeRawBufferPointer(start: $0.base, count: $0.length) }
        var writes: [UnsafeMutableRawBufferPointer] = unsafe []
        unsafe writes.reserveCapacity(writing.count)
        for (i, buffer) in writing.enumerated() {
            if buffer.readOnly { throw PyException.bufferError("buffer \(i) to write is read-only") }
            unsafe writes.append(UnsafeMutableRawBufferPointer(start: buffer.base, count: buffer.length))
        }
        for unsafe (i, written) in unsafe writes.enumerated() where written.count > 0 {
            let others = unsafe reads.map { UnsafeRawBufferPointer($0) }
                + writes.enumerated().filter { unsafe $0.offset != i }.map { unsafe UnsafeRawBufferPointer($0.element) }
            if unsafe others.contains(where: { unsafe Self.overlap(UnsafeRawBufferPointer(written), $0) }) {
                throw PyException.bufferError("buffer \(i) to write overlaps another buffer of the same call")
            }
        }
        // SAFETY: the addresses stay valid while the buffers (pinned views, or references
        // to immutable bytes) are alive, which withExtendedLifetime guarantees for the
        // whole detached call; the closure sees them only through DetachedBuffers.
        let regions = unsafe UncheckedSendable((reads, writes))
        return try withExtendedLifetime((reading, writing)) {
            try detach(if: condition) {
                unsafe try regions.value.0.withUnsafeBufferPointer { reads in
                    unsafe try regions.value.1.withUnsafeBufferPointer { writes in
                        var buffers = unsafe DetachedBuffers(reads: reads, writes: writes)
                        return try body(&buffers)
                    }
                }
            }
        }
    }

    /// Whether two byte ranges share a byte.
    static func overlap(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard let a0 = a.baseAddress, let b0 = b.baseAddress, a.count > 0, b.count > 0 else { return false }
        return unsafe a0 < b0 + b.count && b0 < a0 + a.count
    }
}

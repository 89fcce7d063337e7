import CPython

/// A `bytes` object built in place: allocated with the GIL, filled by detached code, then
/// shrunk to its final size — the output of a decompression lands in the result object
/// itself, with no second copy made while the GIL is held.
///
/// The object stays private until ``finish(count:_:)`` hands it out (a `bytes` is only
/// mutable while nothing else has seen it). Between fills, ``resize(to:_:)`` grows it;
/// for the large sizes where that matters, CPython's allocator is `realloc`, which moves
/// the pages rather than the bytes.
///
/// Not `Sendable` and not `Escapable`-restricted: it stays on the attached side (a
/// detached closure cannot capture it); detached code sees its memory only through the
/// `MutableRawSpan` that ``detachFilling(_:if:_:)`` lends for one call.
///
/// The corresponding C functions are `PyBytes_FromStringAndSize(NULL, n)` and
/// `_PyBytes_Resize` (CPython 3.15's `PyBytesWriter` does the same job; these work on
/// every supported version).
@safe public struct PyBytesBuilder: ~Copyable {
    /// The bytes object under construction; nil once handed out or freed.
    private var object: PyPointer?
    /// Bytes of memory the object has.
    public private(set) var capacity: Int

    /// Allocates a `bytes` object of `capacity` bytes (contents undefined until written).
    /// Throws `MemoryError` when it cannot be allocated.
    public init(capacity: Int, _ py: Python) throws {
        let size = max(0, capacity)
        guard let object = unsafe PyBytes_FromStringAndSize(nil, size) else { throw PyException.fetch() }
        unsafe self.object = unsafe object
        self.capacity = size
        adviseHugePages()
    }

    deinit {
        // Only reachable with the GIL held: the builder cannot enter a detached closure.
        if let object = unsafe object { unsafe swiftpy_decref(object) }
    }

    /// Grows or shrinks the object to `newCapacity` bytes, keeping its first
    /// `min(capacity, newCapacity)`. Throws `MemoryError` when the memory is not there (the
    /// builder then owns nothing and must not be used again, as with `_PyBytes_Resize`).
    public mutating func resize(to newCapacity: Int, _ py: Python) throws {
        guard unsafe object != nil else { throw PyException.systemError("PyBytesBuilder used after a failed resize") }
        let size = max(0, newCapacity)
        // SAFETY: `_PyBytes_Resize` needs the only reference to a bytes object no one else
        // has seen: this builder's, never handed out. On failure it frees the object and
        // sets the pointer to NULL.
        if unsafe _PyBytes_Resize(&object, size) != 0 {
            unsafe object = nil
            capacity = 0
            throw PyException.fetch()
        }
        capacity = size
    }

    /// Large outputs are written into fresh pages (glibc maps anything above 32 MiB anew
    /// for each object): huge pages make filling 32 MiB take 16 page faults instead of
    /// 8,192, measured here 2.5 ms against 13 ms, which is a third of a 32 MiB
    /// decompression. Peers writing into heap memory reused from an earlier call pay
    /// neither.
    ///
    /// Only at allocation, never after a resize: the advice covers whole pages inside the
    /// object, which splits its mapping in three, and `mremap` cannot grow a split
    /// mapping. The first growth of an advised object therefore copies it once (glibc's
    /// fallback) into a fresh, whole mapping, which later growths move without copying;
    /// advising again would make every growth a copy, and a 600 MB decompression needs
    /// twice its output at each one.
    private func adviseHugePages() {
        guard let object = unsafe object, capacity >= SwiftBuffer.hugePageThreshold else { return }
        unsafe swiftpy_advise_huge_pages(swiftpy_bytes_as_string(object), capacity)
    }

    /// Shrinks the object to its first `count` bytes and hands it out: the finished
    /// `bytes`. `count` must not exceed ``capacity``.
    public consuming func finish(count: Int, _ py: Python) throws -> PyObjectRef {
        guard count >= 0, count <= capacity else {
            throw PyException.systemError("PyBytesBuilder.finish(count: \(count)) beyond its capacity \(capacity)")
        }
        if count != capacity { try resize(to: count, py) }
        guard let result = unsafe object else { throw PyException.systemError("PyBytesBuilder used after a failed resize") }
        unsafe object = nil
        return unsafe PyObjectRef(owned: result)
    }

    /// Runs `body` with the GIL released (when `condition` is true) on this object's whole
    /// memory, as a `MutableRawSpan` that cannot escape the closure.
    ///
    /// `borrowing`: no resize or finish can run while the memory is lent. Whatever `body`
    /// writes stays in the object; what it returns says how much is meaningful.
    public func detachFilling<R: Sendable>(
        _ py: Python, if condition: Bool = true, _ body: @Sendable (inout MutableRawSpan) throws -> R
    ) throws -> R {
        let memory = unsafe try lentMemory()
        return try py.detach(if: condition) {
            var output = unsafe memory.value.mutableBytes
            return try body(&output)
        }
    }

    /// ``detachFilling(_:if:_:)`` for output made from a buffer: `body` also gets
    /// `input`'s bytes as a `RawSpan` and an ``Interruption`` to poll for Ctrl-C.
    public func detachFilling<R: Sendable>(
        reading input: borrowing PyBuffer, _ py: Python, if condition: Bool = true,
        _ body: @Sendable (RawSpan, inout MutableRawSpan, inout Interruption) throws -> R
    ) throws -> R {
        let memory = unsafe try lentMemory()
        return try input.detachInterruptibly(py, if: condition) { bytes, interruption in
            var output = unsafe memory.value.mutableBytes
            return try body(bytes, &output, &interruption)
        }
    }

    /// The object's memory, for a `detachFilling` call to lend as a span.
    private func lentMemory() throws -> UncheckedSendable<UnsafeMutableRawBufferPointer> {
        guard let object = unsafe object else { throw PyException.systemError("PyBytesBuilder used after a failed resize") }
        // SAFETY: the object is ours alone and is not resized or freed while `self` is
        // borrowed, i.e. for the whole `detachFilling` call; the closure sees the memory
        // only as a span.
        return unsafe UncheckedSendable(UnsafeMutableRawBufferPointer(
            start: UnsafeMutableRawPointer(swiftpy_bytes_as_string(object)), count: capacity))
    }
}

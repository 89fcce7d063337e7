import CPython

/// A pinned view of another object's memory through the buffer protocol: `bytes`,
/// `bytearray`, `memoryview`, `array.array`, numpy arrays, ...
///
/// While the view lives, the exporter keeps the memory in place (a `bytearray` cannot be
/// resized, for instance). The view is released when this object goes away, which needs
/// the GIL: it is not `Sendable`. To work on the memory with the GIL released, use
/// ``detach(_:_:)``, which keeps it pinned and hands the closure a span that cannot escape.
///
/// The corresponding C functions are `PyObject_GetBuffer` and `PyBuffer_Release`.
@safe public struct PyBuffer {
    /// What a builtin needs from the exporter.
    public struct Requirements: Sendable {
        public var writable: Bool
        public var contiguity: Contiguity
        /// Also ask for `format`, `shape` and `strides` (for typed arrays).
        public var typed: Bool

        public init(writable: Bool = false, contiguity: Contiguity = .c, typed: Bool = false) {
            self.writable = writable
            self.contiguity = contiguity
            self.typed = typed
        }

        /// Plain read-only bytes, C-contiguous: what CPython's `y*` converter asks for.
        public static let bytes = Requirements()
        /// Writable C-contiguous bytes: CPython's `w*`.
        public static let writableBytes = Requirements(writable: true)

        var flags: Int32 {
            var flags: Int32 = PyBUF_SIMPLE
            if writable { flags |= PyBUF_WRITABLE }
            if typed { flags |= PyBUF_FORMAT }
            switch contiguity {
            case .c: if typed { flags |= PyBUF_C_CONTIGUOUS }
            case .fortran: flags |= PyBUF_F_CONTIGUOUS
            case .any: flags |= typed ? PyBUF_ANY_CONTIGUOUS : 0
            case .strided: flags |= PyBUF_STRIDES
            }
            return flags
        }
    }

    /// Memory layouts a builtin can accept.
    public enum Contiguity: Sendable {
        /// Row-major, no gaps.
        case c
        /// Column-major, no gaps.
        case fortran
        /// Either of the two.
        case any
        /// Any strides (the builtin walks `strides` itself or copies).
        case strided
    }

    /// Owns the pinned view (or, for a `bytes` argument read in place, a reference to
    /// the object); copies of this struct share it, so a stored copy keeps the memory
    /// valid and the export held, as a `memoryview` does.
    @usableFromInline let storage: PinnedView?
    /// The first byte and the length, cached from the view (or the `bytes` object).
    @usableFromInline let base: UnsafeMutableRawPointer?
    @usableFromInline let length: Int
    @usableFromInline let readOnly: Bool

    // SAFETY: `Py_buffer` may point into itself (`shape = &view->len`), so it lives at a
    // fixed address inside `storage` (tail-allocated) for the storage's whole life.
    var view: UnsafeMutablePointer<Py_buffer>? { unsafe storage.flatMap { unsafe $0.isPinned ? $0.view : nil } }

    /// Pins `object`'s memory. Throws `TypeError` ("a bytes-like object is required, not
    /// 'str'") if it has no buffer, `BufferError` if it cannot satisfy `requirements`
    /// (read-only where writable is needed, not contiguous where contiguity is needed).
    public init(_ object: PyBorrowedRef, _ py: Python, _ requirements: Requirements = .bytes) throws {
        try self.init(pinning: object, requirements)
    }

    init(pinning object: PyBorrowedRef, _ requirements: Requirements) throws {
        guard unsafe PyObject_CheckBuffer(object.pointer) != 0 else {
            throw PyException.typeError(requirements.writable
                ? "a read-write bytes-like object is required, not '\(object.typeName)'"
                : "a bytes-like object is required, not '\(object.typeName)'")
        }
        let storage = PinnedView.make()
        let view = unsafe storage.view
        guard unsafe PyObject_GetBuffer(object.pointer, view, requirements.flags) == 0 else {
            let error = PyException.fetch()
            // Like CPython's `w*` converter: any refusal of a writable view is reported
            // as the argument having the wrong type.
            if requirements.writable {
                throw PyException.typeError("a read-write bytes-like object is required, not '\(object.typeName)'")
            }
            throw error
        }
        // Only now is there a view to release.
        storage.isPinned = true
        self.storage = storage
        unsafe self.base = unsafe view.pointee.buf
        self.length = unsafe view.pointee.len
        self.readOnly = unsafe view.pointee.readonly != 0
    }

    /// A builtin's `bytes` argument, read in place: immutable, so it needs no view, only
    /// a reference that keeps it alive for as long as this buffer (or a copy of it) is
    /// kept — beyond the call too, if a builtin stores it. This is what keeps
    /// `crc32(b"...")` on small inputs as cheap as the stdlib's.
    init(argumentBytes object: PyBorrowedRef) {
        let storage = PinnedView.make()
        unsafe storage.keepAlive(object.pointer)
        self.storage = storage
        unsafe self.base = unsafe UnsafeMutableRawPointer(swiftpy_bytes_as_string(object.pointer))
        self.length = unsafe swiftpy_var_size(object.pointer)
        self.readOnly = true
    }

    /// Pins an owned object's memory (the view itself keeps the object alive).
    public init(_ object: PyObjectRef, _ py: Python, _ requirements: Requirements = .bytes) throws {
        defer { withExtendedLifetime(object) {} }
        try self.init(pinning: object.borrowed, requirements)
    }

    /// The object that keeps this view pinned, or the `bytes` object alive (all copies
    /// share it). Hold it to keep the memory valid, e.g. next to a raw pointer handed to
    /// detached code.
    public var owner: AnyObject? { storage }

    /// Length in bytes.
    @inlinable public var byteCount: Int { length }
    /// Whether the exporter refuses writes.
    public var isReadOnly: Bool { readOnly }
    /// Size of one item in bytes.
    public var itemSize: Int { unsafe view?.pointee.itemsize ?? 1 }
    /// The struct-module format of one item ("B" unless the exporter says otherwise).
    public var format: String { unsafe view?.pointee.format.map { unsafe String(cString: $0) } ?? "B" }
    /// The struct-module type code of one item when the format is a single code in
    /// native byte order ("d", "<d", "=d", "@d" all give `d`), else nil. Reads the C string
    /// in place: for per-call code that only needs to recognise float64/float32.
    public var nativeFormatCode: UInt8? {
        guard let view = unsafe view else { return UInt8(ascii: "B") }
        guard var p = unsafe view.pointee.format.map(UnsafeRawPointer.init) else { return UInt8(ascii: "B") }
        let first = unsafe p.load(as: UInt8.self)
        // '<' is native only on little-endian machines, which is all SwiftPy targets.
        if first == UInt8(ascii: "@") || first == UInt8(ascii: "=") || first == UInt8(ascii: "<") { unsafe p += 1 }
        let code = unsafe p.load(as: UInt8.self)
        guard code != 0, unsafe p.load(fromByteOffset: 1, as: UInt8.self) == 0 else { return nil }
        return code
    }
    /// Number of dimensions.
    public var dimensions: Int { unsafe view.map { unsafe Int($0.pointee.ndim) } ?? 1 }
    /// Items per dimension (one dimension of `byteCount / itemSize` items if the exporter
    /// gave no shape).
    public var shape: [Int] {
        guard let shape = unsafe view?.pointee.shape else { return [byteCount / max(itemSize, 1)] }
        return (0..<dimensions).map { unsafe shape[$0] }
    }
    /// Bytes between items per dimension (C-contiguous strides if the exporter gave none).
    public var strides: [Int] {
        if let strides = unsafe view?.pointee.strides { return (0..<dimensions).map { unsafe strides[$0] } }
        var result = Array(repeating: itemSize, count: max(dimensions, 1))
        let shape = self.shape
        for i in stride(from: result.count - 2, through: 0, by: -1) { result[i] = result[i + 1] * shape[i + 1] }
        return result
    }
    /// Items along `dimension` (0-based), like `shape[dimension]` without building an
    /// array: for per-call code (a tiny matrix product) the array costs more than the
    /// read. Returns 0 for a dimension out of range.
    public func extent(_ dimension: Int) -> Int {
        guard dimension >= 0, dimension < dimensions else { return 0 }
        guard let shape = unsafe view?.pointee.shape else { return dimension == 0 ? byteCount / max(itemSize, 1) : 0 }
        return unsafe shape[dimension]
    }
    /// Bytes between items along `dimension`, like `strides[dimension]` without building
    /// an array. Returns 0 for a dimension out of range.
    public func byteStride(_ dimension: Int) -> Int {
        guard dimension >= 0, dimension < dimensions else { return 0 }
        if let strides = unsafe view?.pointee.strides { return unsafe strides[dimension] }
        return strides[dimension]
    }
    /// Whether the memory is contiguous in the given order ("C", "F" or "A").
    public func isContiguous(_ order: Character = "C") -> Bool {
        guard let view = unsafe view else { return true }
        return unsafe PyBuffer_IsContiguous(view, CChar(order.asciiValue ?? UInt8(ascii: "C"))) != 0
    }
    /// The address of the first item (for strided, typed access with GIL-held code).
    public var baseAddress: UnsafeMutableRawPointer? { unsafe base }

    /// Reads the bytes with the GIL held. Only for contiguous buffers (the default).
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        unsafe try body(UnsafeRawBufferPointer(start: base, count: length))
    }

    /// Writes the bytes with the GIL held. Throws `BufferError` if the view is read-only.
    @inlinable
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        guard !readOnly else { throw PyException.bufferError("buffer is read-only") }
        return unsafe try body(UnsafeMutableRawBufferPointer(start: base, count: length))
    }

    /// Runs `body` with the GIL released (when `condition` is true) on the pinned bytes.
    ///
    /// The span is non-escapable: the closure can read it but not keep it, and the view
    /// stays pinned until `body` returns because this buffer is alive for the whole call.
    @inlinable
    public func detach<R: Sendable>(
        _ py: Python, if condition: Bool = true, _ body: @Sendable (RawSpan) throws -> R
    ) throws -> R {
        // SAFETY: the address stays valid while `self` (the pinned view) is alive, which
        // withExtendedLifetime guarantees for the whole detached call; the closure only
        // sees it as a non-escapable span.
        let bytes = unsafe UncheckedSendable(UnsafeRawBufferPointer(start: base, count: length))
        return try withExtendedLifetime(storage) {
            try py.detach(if: condition) { unsafe try body(bytes.value.bytes) }
        }
    }

    /// Runs `body` with the GIL released on the bytes of two pinned buffers at once (a
    /// dot product, a copy from one to the other). Both stay pinned for the whole call.
    @inlinable
    public func detach<R: Sendable>(
        _ py: Python, with other: PyBuffer, if condition: Bool = true, _ body: @Sendable (RawSpan, RawSpan) throws -> R
    ) throws -> R {
        // SAFETY: as in `detach`: both views are kept alive (and pinned) by
        // withExtendedLifetime for the whole detached call, and seen only as spans.
        let first = unsafe UncheckedSendable(UnsafeRawBufferPointer(start: base, count: length))
        let second = unsafe UncheckedSendable(UnsafeRawBufferPointer(start: other.base, count: other.length))
        return try withExtendedLifetime((storage, other.storage)) {
            try py.detach(if: condition) { unsafe try body(first.value.bytes, second.value.bytes) }
        }
    }

    /// Like ``detach(_:if:_:)``, through ``Python/detachInterruptibly(if:_:)``: long work on
    /// the pinned bytes can poll for Ctrl-C between chunks with ``Interruption/check()``.
    @inlinable
    public func detachInterruptibly<R: Sendable>(
        _ py: Python, if condition: Bool = true, _ body: @Sendable (RawSpan, inout Interruption) throws -> R
    ) throws -> R {
        // SAFETY: as in `detach`: pinned for the whole call, seen only as a span.
        let bytes = unsafe UncheckedSendable(UnsafeRawBufferPointer(start: base, count: length))
        return try withExtendedLifetime(storage) {
            try py.detachInterruptibly(if: condition) { interruption in
                unsafe try body(bytes.value.bytes, &interruption)
            }
        }
    }

    /// Like ``detach(_:if:_:)`` for writing: the closure gets the bytes as a
    /// `MutableRawSpan`. Throws `BufferError` if the view is read-only.
    @inlinable
    public func detachMutating<R: Sendable>(
        _ py: Python, if condition: Bool = true, _ body: @Sendable (inout MutableRawSpan) throws -> R
    ) throws -> R {
        guard !readOnly else { throw PyException.bufferError("buffer is read-only") }
        // SAFETY: as in `detach`: pinned for the whole call, seen only as a span.
        let bytes = unsafe UncheckedSendable(UnsafeMutableRawBufferPointer(start: base, count: length))
        return try withExtendedLifetime(storage) {
            try py.detach(if: condition) {
                var span = unsafe bytes.value.mutableBytes
                return try body(&span)
            }
        }
    }
}

@available(*, unavailable, message: "a buffer view must be released with the GIL held; use PyBuffer.detach to read it without the GIL")
extension PyBuffer: Sendable {}

extension PyBuffer: FromPython {
    /// A read-only, C-contiguous view: what a `bytes-like object` parameter means.
    /// An exact `bytes` argument is read in place (no buffer export: it is immutable),
    /// holding a reference to it.
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        if unsafe swiftpy_bytes_check_exact(object.pointer) != 0 {
            self.init(argumentBytes: object)
        } else {
            try self.init(pinning: object, .bytes)
        }
    }
}

/// A writable, C-contiguous buffer parameter (`bytearray`, writable `memoryview`, numpy
/// arrays): TypeError "a read-write bytes-like object is required" for `bytes`.
public struct WritableBuffer: FromPython {
    public let buffer: PyBuffer
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        buffer = try PyBuffer(object, py, .writableBytes)
    }
}

/// The heap cell holding one `Py_buffer`, tail-allocated so a view costs one allocation
/// and its address never changes, or a reference to an immutable `bytes` object read in
/// place. Releases the view / the reference (GIL held: it is only reachable from
/// non-Sendable `PyBuffer`s) when the last `PyBuffer` copy goes away.
@usableFromInline
@safe final class PinnedView: ManagedBuffer<PinnedView.Header, Py_buffer> {
    @safe @usableFromInline struct Header {
        /// Whether `PyObject_GetBuffer` succeeded, so there is a view to release.
        var isPinned = false
        /// An object this cell holds a reference to (a `bytes` argument read in place).
        var object: PyPointer? = nil
    }

    static func make() -> PinnedView {
        let storage = unsafe unsafeDowncast(PinnedView.create(minimumCapacity: 1) { _ in Header() }, to: PinnedView.self)
        unsafe storage.withUnsafeMutablePointerToElements { unsafe $0.initialize(to: Py_buffer()) }
        return storage
    }

    /// Read and written through the header pointer: the `header` property would add
    /// dynamic exclusivity checks to every call that takes a buffer.
    var isPinned: Bool {
        get { unsafe withUnsafeMutablePointerToHeader { unsafe $0.pointee.isPinned } }
        set { unsafe withUnsafeMutablePointerToHeader { unsafe $0.pointee.isPinned = newValue } }
    }

    /// Holds a new reference to `object` until this cell goes away.
    func keepAlive(_ object: PyPointer) {
        unsafe withUnsafeMutablePointerToHeader { unsafe $0.pointee.object = unsafe swiftpy_newref(object) }
    }

    // SAFETY: elements of a ManagedBuffer have a stable address for the object's life.
    @usableFromInline var view: UnsafeMutablePointer<Py_buffer> {
        unsafe withUnsafeMutablePointerToElements { unsafe $0 }
    }

    deinit {
        let header = unsafe withUnsafeMutablePointerToHeader { unsafe $0.pointee }
        if header.isPinned { unsafe PyBuffer_Release(view) }
        if let object = unsafe header.object { unsafe swiftpy_decref(object) }
        _ = unsafe withUnsafeMutablePointerToElements { unsafe $0.deinitialize(count: 1) }
    }
}
// Not Sendable: `ManagedBuffer`'s own Sendable conformance is already unavailable, so
// PinnedView inherits that (declaring it again is a warning).

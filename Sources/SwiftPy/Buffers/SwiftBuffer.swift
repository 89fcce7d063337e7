import CPython

/// Memory owned by Swift that Python reads without a copy: returned from a builtin it
/// becomes a `<module>.Buffer` object exporting the buffer protocol with its shape,
/// strides and format, so `memoryview(obj)` and `numpy.asarray(obj)` wrap it in place.
///
/// It is `Sendable` so detached code can fill it (a matrix product writes its result
/// here with the GIL released). Once handed to Python, write to it only while no Python
/// code can read it — that rule is the caller's, as with any shared memory.
public final class SwiftBuffer: PythonClass, @unchecked Sendable {
    // SAFETY: all fields are immutable; the memory they describe is shared as documented.
    public let bytes: UnsafeMutableRawBufferPointer
    public let format: String
    public let itemSize: Int
    public let shape: [Int]
    /// Byte strides per dimension.
    public let strides: [Int]
    public let isReadOnly: Bool

    /// The allocation (at least one byte, so zero-size buffers have an address too).
    let allocation: UnsafeMutableRawPointer
    /// C copies of the layout, pointed to by every `Py_buffer` this object fills.
    let cFormat: UnsafeMutablePointer<CChar>
    let cShape: UnsafeMutablePointer<Int>
    let cStrides: UnsafeMutablePointer<Int>
    let isCContiguous: Bool
    let isFortranContiguous: Bool

    /// Memory orders for a new buffer.
    public enum Order: Sendable { case c, fortran }

    /// Allocates zeroed memory for an array of `shape` items of `itemSize` bytes each,
    /// described to Python by the struct-module `format` ("d" for Double, "f" for Float,
    /// "B" for bytes). Throws `ValueError` on a negative dimension and `MemoryError` when
    /// the size overflows or cannot be allocated.
    public init(shape: [Int], format: String, itemSize: Int, order: Order = .c, readOnly: Bool = false) throws {
        guard itemSize > 0 else { throw PyException.valueError("itemsize must be positive") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw PyException.valueError("negative dimensions are not allowed") }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw PyException.memoryError() }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow, byteCount <= Int.max / 2 else { throw PyException.memoryError() }
        // 64-byte alignment: cache lines, and what BLAS kernels like.
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        memory.initializeMemory(as: UInt8.self, repeating: 0)
        self.allocation = memory.baseAddress!
        self.bytes = UnsafeMutableRawBufferPointer(start: memory.baseAddress, count: byteCount)
        self.format = format
        self.itemSize = itemSize
        self.shape = shape
        self.isReadOnly = readOnly
        var strides = Array(repeating: itemSize, count: shape.count)
        switch order {
        case .c:
            for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * max(shape[i + 1], 1) }
        case .fortran:
            for i in stride(from: 1, to: shape.count, by: 1) { strides[i] = strides[i - 1] * max(shape[i - 1], 1) }
        }
        self.strides = strides
        self.cFormat = strdup(format)!
        self.cShape = .allocate(capacity: max(shape.count, 1))
        self.cShape.initialize(from: shape, count: shape.count)
        self.cStrides = .allocate(capacity: max(shape.count, 1))
        self.cStrides.initialize(from: strides, count: strides.count)
        self.isCContiguous = order == .c || shape.filter({ $0 > 1 }).count <= 1
        self.isFortranContiguous = order == .fortran || shape.filter({ $0 > 1 }).count <= 1
    }

    /// A one-dimensional buffer holding a copy of `values`.
    public convenience init<T: BufferElement>(copying values: [T]) throws {
        try self.init(shape: [values.count], format: T.bufferFormat, itemSize: MemoryLayout<T>.stride)
        values.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    deinit {
        allocation.deallocate()
        free(cFormat)
        cShape.deallocate()
        cStrides.deallocate()
    }

    /// The memory as typed elements (C order only makes sense for contiguous buffers).
    public func withUnsafeMutableBufferPointer<T: BufferElement, R>(of type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try body(bytes.bindMemory(to: T.self))
    }

    static var properties: [Property<SwiftBuffer>] {
        [
            Property("shape", doc: "Items per dimension.") { _, b in PyTupleOf(b.shape) },
            Property("strides", doc: "Bytes between items per dimension.") { _, b in PyTupleOf(b.strides) },
            Property("format", doc: "struct-module format of one item.") { _, b in b.format },
            Property("itemsize", doc: "Bytes per item.") { _, b in b.itemSize },
            Property("ndim", doc: "Number of dimensions.") { _, b in b.shape.count },
            Property("nbytes", doc: "Total bytes.") { _, b in b.bytes.count },
            Property("readonly", doc: "Whether Python may write to it.") { _, b in b.isReadOnly },
        ]
    }

    /// `bf_getbuffer`: fills `view` following the consumer's request flags, refusing
    /// (BufferError) a contiguity or writability the memory does not have.
    static let getBuffer: getbufferproc = { exporter, view, flags in
        guard let exporter, let view else { return -1 }
        guard let buffer = try? SwiftObject.payload(exporter, as: SwiftBuffer.self) else {
            swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_BUFFER), "buffer object has no memory")
            return -1
        }
        func refuse(_ message: String) -> Int32 {
            swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_BUFFER), message)
            return -1
        }
        if flags & PyBUF_WRITABLE != 0, buffer.isReadOnly { return refuse("Object is not writable.") }
        let wantsStrides = flags & PyBUF_STRIDES == PyBUF_STRIDES
        if !wantsStrides, !buffer.isCContiguous { return refuse("underlying buffer is not C-contiguous") }
        if flags & PyBUF_C_CONTIGUOUS == PyBUF_C_CONTIGUOUS, !buffer.isCContiguous { return refuse("ndarray is not C-contiguous") }
        if flags & PyBUF_F_CONTIGUOUS == PyBUF_F_CONTIGUOUS, !buffer.isFortranContiguous { return refuse("ndarray is not Fortran contiguous") }
        if flags & PyBUF_ANY_CONTIGUOUS == PyBUF_ANY_CONTIGUOUS, !buffer.isCContiguous, !buffer.isFortranContiguous {
            return refuse("ndarray is not contiguous")
        }
        view.pointee.buf = UnsafeMutableRawPointer(mutating: buffer.bytes.baseAddress)
        view.pointee.obj = swiftpy_newref(exporter)
        view.pointee.len = buffer.bytes.count
        view.pointee.readonly = buffer.isReadOnly ? 1 : 0
        view.pointee.itemsize = buffer.itemSize
        view.pointee.format = flags & PyBUF_FORMAT != 0 ? buffer.cFormat : nil
        view.pointee.ndim = Int32(buffer.shape.count)
        view.pointee.shape = flags & PyBUF_ND == PyBUF_ND ? buffer.cShape : nil
        view.pointee.strides = wantsStrides ? buffer.cStrides : nil
        view.pointee.suboffsets = nil
        view.pointee.internal = nil
        return 0
    }

    /// `bf_releasebuffer`: nothing to undo; the exporter reference in `view.obj` keeps the
    /// memory alive and `PyBuffer_Release` drops it.
    static let releaseBuffer: releasebufferproc = { _, _ in }
}

/// Element types a ``SwiftBuffer`` can describe to Python.
public protocol BufferElement {
    /// The struct-module format character: "d", "f", "B", "q", ...
    static var bufferFormat: String { get }
}
extension Double: BufferElement { public static var bufferFormat: String { "d" } }
extension Float: BufferElement { public static var bufferFormat: String { "f" } }
extension UInt8: BufferElement { public static var bufferFormat: String { "B" } }
extension Int64: BufferElement { public static var bufferFormat: String { "q" } }
extension Int32: BufferElement { public static var bufferFormat: String { "i" } }

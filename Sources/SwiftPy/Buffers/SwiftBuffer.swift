import CPython

/// Memory owned by Swift that Python reads without a copy: returned from a builtin it
/// becomes a `<module>.Buffer` object exporting the buffer protocol with its shape,
/// strides and format, so `memoryview(obj)` and `numpy.asarray(obj)` wrap it in place.
///
/// It is `Sendable` so detached code can fill it (a matrix product writes its result
/// here with the GIL released). Once handed to Python, write to it only while no Python
/// code can read it — that rule is the caller's, as with any shared memory.
@safe public final class SwiftBuffer: PythonClass, @unchecked Sendable {
    // SAFETY: all fields are immutable; the memory they describe is shared as documented.

    /// The array's bytes (64-byte aligned: cache lines, and what BLAS kernels like).
    public let bytes: UnsafeMutableRawBufferPointer
    public let itemSize: Int
    public let isReadOnly: Bool

    /// One `malloc` block holding, in order: shape (ndim Ints), strides (ndim Ints),
    /// padding, then the data. One allocation besides this object, whatever the shape:
    /// creating a result costs what it must (a tiny matrix product is ~100 ns of work).
    let block: UnsafeMutableRawPointer
    let cShape: UnsafeMutablePointer<Int>
    let cStrides: UnsafeMutablePointer<Int>
    let ndim: Int
    /// The format as a C string: a static literal for the common formats, else a copy.
    let cFormat: UnsafePointer<CChar>
    let ownsFormat: Bool
    let isCContiguous: Bool
    let isFortranContiguous: Bool

    /// Buffers of at least this many bytes are put on transparent huge pages (the threshold
    /// numpy's allocator uses for the same advice: 4 MiB).
    static let hugePageThreshold = 4 << 20

    /// Memory orders for a new buffer.
    public enum Order: Sendable { case c, fortran }

    /// Allocates memory for an array of `shape` items of `itemSize` bytes each, described
    /// to Python by the struct-module `format` ("d" for Double, "f" for Float, "B" for
    /// bytes). The memory is zeroed unless `zeroed` is false — pass false only when the
    /// caller overwrites every byte before Python can see it. Throws `ValueError` on a
    /// negative dimension and `MemoryError` when the size overflows or cannot be allocated.
    public init(shape: [Int], format: String, itemSize: Int, order: Order = .c, readOnly: Bool = false, zeroed: Bool = true) throws {
        guard itemSize > 0 else { throw PyException.valueError("itemsize must be positive") }
        guard shape.count <= 64 else { throw PyException.valueError("too many dimensions: \(shape.count) > 64") }
        var count = 1
        for dim in shape {
            guard dim >= 0 else { throw PyException.valueError("negative dimensions are not allowed") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw PyException.memoryError() }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: itemSize)
        let layoutBytes = 2 * shape.count * MemoryLayout<Int>.stride
        guard !overflow, byteCount <= Int.max / 2 - layoutBytes - 128 else { throw PyException.memoryError() }
        guard let block = unsafe malloc(layoutBytes + 64 + max(byteCount, 1)) else { throw PyException.memoryError() }
        let dataStart = (Int(bitPattern: block) + layoutBytes + 63) & ~63
        let data = unsafe UnsafeMutableRawPointer(bitPattern: dataStart)!
        // Large arrays on huge pages, as numpy's allocator does: filling them then costs
        // 1/512 of the page faults (and those are taken under one kernel lock).
        if byteCount >= SwiftBuffer.hugePageThreshold { unsafe swiftpy_advise_huge_pages(data, byteCount) }
        if zeroed { unsafe memset(data, 0, byteCount) }
        unsafe self.block = unsafe block
        unsafe self.bytes = unsafe UnsafeMutableRawBufferPointer(start: data, count: byteCount)
        self.itemSize = itemSize
        self.isReadOnly = readOnly
        self.ndim = shape.count
        unsafe self.cShape = unsafe block.bindMemory(to: Int.self, capacity: 2 * max(shape.count, 1))
        unsafe self.cStrides = unsafe cShape + shape.count
        for (i, dim) in shape.enumerated() { unsafe cShape[i] = dim }
        switch order {
        case .c:
            var step = itemSize
            for i in (0..<shape.count).reversed() {
                unsafe cStrides[i] = step
                step &*= max(shape[i], 1)
            }
        case .fortran:
            var step = itemSize
            for i in 0..<shape.count {
                unsafe cStrides[i] = step
                step &*= max(shape[i], 1)
            }
        }
        if let literal = unsafe SwiftBuffer.staticFormat(format) {
            unsafe self.cFormat = unsafe literal
            self.ownsFormat = false
        } else {
            unsafe self.cFormat = unsafe UnsafePointer(strdup(format)!)
            self.ownsFormat = true
        }
        let nontrivial = shape.lazy.filter { $0 > 1 }.count
        self.isCContiguous = order == .c || nontrivial <= 1
        self.isFortranContiguous = order == .fortran || nontrivial <= 1
    }

    /// A one-dimensional buffer holding a copy of `values`.
    public convenience init<T: BufferElement>(copying values: [T]) throws {
        try self.init(shape: [values.count], format: T.bufferFormat, itemSize: MemoryLayout<T>.stride, zeroed: false)
        unsafe values.withUnsafeBytes { unsafe bytes.copyMemory(from: $0) }
    }

    deinit {
        unsafe free(block)
        if ownsFormat { unsafe free(UnsafeMutablePointer(mutating: cFormat)) }
    }

    /// The struct-module format of one item.
    public var format: String { unsafe String(cString: cFormat) }
    /// Items per dimension.
    public var shape: [Int] { (0..<ndim).map { unsafe cShape[$0] } }
    /// Byte strides per dimension.
    public var strides: [Int] { (0..<ndim).map { unsafe cStrides[$0] } }

    /// Items along `dimension` without building an array (0 when out of range).
    public func extent(_ dimension: Int) -> Int { unsafe dimension >= 0 && dimension < ndim ? cShape[dimension] : 0 }
    /// Bytes between items along `dimension` without building an array (0 when out of range).
    public func byteStride(_ dimension: Int) -> Int { unsafe dimension >= 0 && dimension < ndim ? cStrides[dimension] : 0 }

    /// Static C strings for the formats SwiftPy's own modules use (no allocation).
    private static func staticFormat(_ format: String) -> UnsafePointer<CChar>? {
        switch format {
        case "d": return unsafe swiftpy_format_d()
        case "f": return unsafe swiftpy_format_f()
        case "B": return unsafe swiftpy_format_B()
        default: return nil
        }
    }

    /// The memory as typed elements (C order only makes sense for contiguous buffers).
    public func withUnsafeMutableBufferPointer<T: BufferElement, R>(of type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        unsafe try body(bytes.bindMemory(to: T.self))
    }

    static var properties: [Property<SwiftBuffer>] {
        [
            Property("shape", doc: "Items per dimension.") { _, b in PyTupleOf(b.shape) },
            Property("strides", doc: "Bytes between items per dimension.") { _, b in PyTupleOf(b.strides) },
            Property("format", doc: "struct-module format of one item.") { _, b in b.format },
            Property("itemsize", doc: "Bytes per item.") { _, b in b.itemSize },
            Property("ndim", doc: "Number of dimensions.") { _, b in b.ndim },
            Property("nbytes", doc: "Total bytes.") { _, b in unsafe b.bytes.count },
            Property("readonly", doc: "Whether Python may write to it.") { _, b in b.isReadOnly },
        ]
    }

    /// `bf_getbuffer`: fills `view` following the consumer's request flags, refusing
    /// (BufferError) a contiguity or writability the memory does not have.
    static let getBuffer: getbufferproc = { exporter, view, flags in
        guard let exporter = unsafe exporter, let view = unsafe view else { return -1 }
        guard let buffer = unsafe try? SwiftObject.payload(exporter, as: SwiftBuffer.self) else {
            unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_BUFFER), "buffer object has no memory")
            return -1
        }
        func refuse(_ message: String) -> Int32 {
            unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_BUFFER), message)
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
        unsafe view.pointee.buf = unsafe UnsafeMutableRawPointer(mutating: buffer.bytes.baseAddress)
        unsafe view.pointee.obj = unsafe swiftpy_newref(exporter)
        unsafe view.pointee.len = unsafe buffer.bytes.count
        unsafe view.pointee.readonly = buffer.isReadOnly ? 1 : 0
        unsafe view.pointee.itemsize = buffer.itemSize
        unsafe view.pointee.format = unsafe flags & PyBUF_FORMAT != 0 ? UnsafeMutablePointer(mutating: buffer.cFormat) : nil
        unsafe view.pointee.ndim = Int32(buffer.ndim)
        unsafe view.pointee.shape = unsafe flags & PyBUF_ND == PyBUF_ND ? buffer.cShape : nil
        unsafe view.pointee.strides = unsafe wantsStrides ? buffer.cStrides : nil
        unsafe view.pointee.suboffsets = nil
        unsafe view.pointee.internal = nil
        return 0
    }

    /// `tp_repr`: the type, shape, format and memory order, then the values for small
    /// buffers, e.g. `<swiftpy.blas.Buffer shape=(2, 2) format='d' order=F [[1.0, 2.0], [3.0, 4.0]]>`
    /// (without numpy this is all a user sees of a result).
    static let repr: reprfunc = { object in
        guard let object = unsafe object, let buffer = unsafe try? SwiftObject.payload(object, as: SwiftBuffer.self) else { return nil }
        let typeName = unsafe String(cString: swiftpy_type(object).pointee.tp_name)
        let text = "<\(typeName) \(buffer.summary)>"
        return unsafe text.withCString { unsafe PyUnicode_FromString($0) }
    }

    /// Buffers with at most this many items show their values in `repr`.
    static let reprItemLimit = 100

    /// `shape=(…) format='…' order=C|F|strided`, plus the values when there are few.
    var summary: String {
        let shapeText = ndim == 1 ? unsafe "(\(cShape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let order = isCContiguous ? "C" : isFortranContiguous ? "F" : "strided"
        var text = "shape=\(shapeText) format='\(format)' order=\(order)"
        let count = shape.reduce(1, *)
        if count <= Self.reprItemLimit, let values = valuesText(dimension: 0, offset: 0) { text += " " + values }
        return text
    }

    /// The items from `dimension` on, as nested lists; nil for formats it cannot read.
    private func valuesText(dimension: Int, offset: Int) -> String? {
        if dimension == ndim { return itemText(at: offset) }
        var parts: [String] = []
        for i in unsafe 0..<cShape[dimension] {
            guard let part = unsafe valuesText(dimension: dimension + 1, offset: offset + i * cStrides[dimension]) else { return nil }
            parts.append(part)
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    private func itemText(at offset: Int) -> String? {
        // SAFETY: offsets come from the buffer's own shape and strides, inside `bytes`.
        let p = unsafe UnsafeRawPointer(bytes.baseAddress!) + offset
        switch (format, itemSize) {
        case ("d", 8): return unsafe "\(p.load(as: Double.self))"
        case ("f", 4): return unsafe "\(p.load(as: Float.self))"
        case ("Zd", 16): return unsafe Self.complexText(p.load(as: Double.self), p.load(fromByteOffset: 8, as: Double.self))
        case ("Zf", 8): return unsafe Self.complexText(Double(p.load(as: Float.self)), Double(p.load(fromByteOffset: 4, as: Float.self)))
        case ("B", 1): return unsafe "\(p.load(as: UInt8.self))"
        case ("q", 8): return unsafe "\(p.load(as: Int64.self))"
        case ("i", 4): return unsafe "\(p.load(as: Int32.self))"
        default: return nil
        }
    }

    /// Python's spelling of a complex number: `(1.0+2.0j)`.
    private static func complexText(_ real: Double, _ imaginary: Double) -> String {
        let sign = imaginary.sign == .minus ? "-" : "+"
        return "(\(real)\(sign)\(imaginary.magnitude)j)"
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

import BLAS
import SwiftPy

/// An array argument of any number of dimensions, pinned for the call: a stack of
/// matrices for `matmul` (shape `(..., m, k)`), with its byte strides.
///
/// Used with the GIL held only; detached code gets a ``BatchedProduct`` made from it.
@safe struct StackArgument {
    /// Keeps the memory alive and pinned (a `PyBuffer`, or the `SwiftBuffer` of a copy).
    let owner: AnyObject?
    let dtype: DType
    let shape: [Int]
    /// Bytes between items, per dimension.
    let strides: [Int]
    let address: UnsafeMutableRawPointer?
    let isReadOnly: Bool

    var ndim: Int { shape.count }
    var count: Int { shape.reduce(1) { $0 &* $1 } }
    var shapeDescription: String { ndim == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")" }

    init(owner: AnyObject?, dtype: DType, shape: [Int], strides: [Int], address: UnsafeMutableRawPointer?, isReadOnly: Bool) {
        self.owner = owner
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        unsafe self.address = unsafe address
        self.isReadOnly = isReadOnly
    }

    /// A 0-, 1- or 2-D argument seen as a stack.
    init(_ array: ArrayArgument) {
        unsafe self.init(owner: array.owner, dtype: array.dtype, shape: array.shapeList,
                  strides: Array([array.rowStride, array.columnStride].prefix(array.ndim)),
                  address: array.address, isReadOnly: array.isReadOnly)
    }

    /// A new array of `dtype` (C order) and its `SwiftBuffer`, zeroed unless `zeroed` is
    /// false (then the caller writes every element before Python can see it).
    static func allocate(_ dtype: DType, shape: [Int], zeroed: Bool = true) throws -> (StackArgument, SwiftBuffer) {
        let buffer = try SwiftBuffer(shape: shape, format: dtype.format, itemSize: dtype.itemSize, zeroed: zeroed)
        return unsafe (StackArgument(owner: buffer, dtype: dtype, shape: shape, strides: buffer.strides,
                              address: buffer.bytes.baseAddress, isReadOnly: false), buffer)
    }

    /// Pins `object` when it exports float32/float64 memory, else returns nil together
    /// with the buffer when it has one (the caller decides whether to convert).
    static func pin(_ object: PyBorrowedRef, _ py: Python, writable: Bool = false) -> (StackArgument?, PyBuffer?) {
        // A read-only exporter refuses a writable view: pin it read-only so the caller can
        // say "read-only" rather than "not an array".
        guard let buffer = (writable ? try? PyBuffer(object, py, writableStridedTyped) : nil)
                ?? (try? PyBuffer(object, py, stridedTyped)) else { return (nil, nil) }
        guard let dtype = DType(code: buffer.nativeFormatCode, itemSize: buffer.itemSize)
                ?? DType(complexFormat: buffer.format, itemSize: buffer.itemSize) else { return (nil, buffer) }
        return unsafe (StackArgument(owner: buffer.owner, dtype: dtype, shape: buffer.shape, strides: buffer.strides,
                              address: buffer.baseAddress, isReadOnly: buffer.isReadOnly), buffer)
    }

    /// An input of matmul: a float32/float64 buffer in place; a non-buffer sequence as a
    /// float64 array (through numpy when importable, so any nesting depth works).
    static func matmulOperand(_ object: PyBorrowedRef, _ py: Python, index: Int) throws -> StackArgument {
        let (pinned, buffer) = pin(object, py)
        if let pinned { return pinned }
        if let buffer {
            throw PyException.typeError("matmul: unsupported dtype for input operand \(index): format '\(buffer.format)' "
                                        + "(float32, float64, complex64 and complex128 are supported)")
        }
        if object.isNone { throw PyException.typeError("matmul: input operand \(index) must be an array, not None") }
        if let numpy = py.numpy {
            let array: PyObjectRef
            do {
                array = try py.call(numpy.asarray.borrowed, [PyObjectRef(object)], kwargs: ["dtype": try "d".toPython(py)])
            } catch let error as PyException {
                throw PyException.typeError("matmul: cannot convert \(object.typeName) to a float64 array (\(error.message))")
            }
            if let converted = pin(array.borrowed, py).0 { return converted }
        }
        return StackArgument(try ArrayArgument.fromSequence(object, py, dtype: .float64, name: "matmul"))
    }

    /// A C-ordered copy converted to `target` (real to complex, or another precision).
    func converted(to target: DType) throws -> StackArgument {
        let (result, _) = try StackArgument.allocate(target, shape: shape)
        guard let source = unsafe address, let destination = unsafe result.address, count > 0 else { return result }
        var index = [Int](repeating: 0, count: ndim)
        var offset = 0
        for item in 0..<count {
            // SAFETY: `offset` walks the pinned array's own shape and strides.
            unsafe target.store(dtype.load(UnsafeRawPointer(source).advanced(by: offset)), destination + item * target.itemSize)
            // Odometer step over the source's dimensions, last one fastest.
            var d = ndim - 1
            while d >= 0 {
                index[d] += 1
                offset += strides[d]
                if index[d] < shape[d] { break }
                offset -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return result
    }

    /// Copies every element into `target` (same shape, any strides and dtype), converting
    /// as numpy casts (complex to real keeps the real part; callers refuse that first).
    func copy(into target: StackArgument) {
        guard count > 0, let source = unsafe address, let destination = unsafe target.address else { return }
        var index = [Int](repeating: 0, count: ndim)
        var from = 0, to = 0
        for _ in 0..<count {
            // SAFETY: both offsets walk their own array's shape and strides (equal shapes).
            unsafe target.dtype.store(dtype.load(UnsafeRawPointer(source) + from), destination + to)
            var d = ndim - 1
            while d >= 0 {
                index[d] += 1
                from += strides[d]
                to += target.strides[d]
                if index[d] < shape[d] { break }
                from -= strides[d] * shape[d]
                to -= target.strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// The lowest and one-past-highest byte addresses the array touches (nil if empty;
    /// the whole address space when the description overflows).
    var byteRange: (low: UInt, high: UInt)? {
        guard count > 0, let address = unsafe address else { return nil }
        var low = UInt(bitPattern: address), high = low
        for (extent, stride) in zip(shape, strides) where extent > 1 {
            let (span, overflow) = (extent - 1).multipliedReportingOverflow(by: stride)
            if overflow { return (0, UInt.max) }
            if span < 0 { low = low &- UInt(span.magnitude) } else { high = high &+ UInt(span) }
        }
        return (low, high &+ UInt(dtype.itemSize))
    }

    func overlaps(_ other: StackArgument) -> Bool {
        guard let a = byteRange, let b = other.byteRange else { return false }
        return a.low < b.high && b.low < a.high
    }
}

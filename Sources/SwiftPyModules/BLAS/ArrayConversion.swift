import BLAS
import SwiftPy

/// Requirements for reading an array argument in place.
let stridedTyped = PyBuffer.Requirements(writable: false, contiguity: .strided, typed: true)
let writableStridedTyped = PyBuffer.Requirements(writable: true, contiguity: .strided, typed: true)

extension ArrayArgument {
    /// Pins `object` when it exports float32/float64 memory of at most 2 dimensions, else
    /// returns nil (the caller converts). `writable` asks for a writable view first and
    /// falls back to a read-only one.
    static func pin(_ object: PyBorrowedRef, _ py: Python, writable: Bool = false) throws -> (ArrayArgument?, PyBuffer?) {
        guard !object.isNone else { return (nil, nil) }
        let buffer: PyBuffer
        do {
            buffer = try PyBuffer(object, py, writable ? writableStridedTyped : stridedTyped)
        } catch let error as PyException where writable && error.kind == .typeError {
            do { buffer = try PyBuffer(object, py, stridedTyped) } catch { return (nil, nil) }
        } catch {
            return (nil, nil)
        }
        guard let dtype = DType(code: buffer.nativeFormatCode, itemSize: buffer.itemSize)
                ?? DType(complexFormat: buffer.format, itemSize: buffer.itemSize) else { return (nil, buffer) }
        let ndim = buffer.dimensions
        guard ndim <= 2 else { return (nil, buffer) }
        return unsafe (ArrayArgument(
            owner: buffer.owner, dtype: dtype, ndim: ndim,
            rows: ndim >= 1 ? buffer.extent(0) : 1, columns: ndim == 2 ? buffer.extent(1) : 1,
            rowStride: ndim >= 1 ? buffer.byteStride(0) : 0, columnStride: ndim == 2 ? buffer.byteStride(1) : 0,
            address: buffer.baseAddress, isCallersMemory: true, isReadOnly: buffer.isReadOnly), buffer)
    }

    /// The argument as an array of `dtype`: the caller's memory when it already is one,
    /// else a converted copy (other numeric formats, byte-swapped data, lists of numbers).
    ///
    /// - Throws: `TypeError` for objects that are not arrays of numbers, `ValueError` for
    ///   more than 2 dimensions.
    static func convert(_ object: PyBorrowedRef, _ py: Python, to dtype: DType, name: String,
                        writable: Bool = false) throws -> ArrayArgument {
        let (pinned, buffer) = try pin(object, py, writable: writable)
        if let pinned, pinned.dtype == dtype { return pinned }
        if let pinned {
            // scipy's wrappers cast complex to real with numpy's ComplexWarning.
            if !pinned.dtype.converts(to: dtype) { try py.warnDiscardingImaginaryParts() }
            return try pinned.converted(to: dtype)
        }
        if let buffer { return try copy(buffer, to: dtype, name: name) }
        return try fromSequence(object, py, dtype: dtype, name: name)
    }

    /// A converted copy (between the four dtypes; complex to real drops the imaginary
    /// part, so callers refuse that first) in C order.
    func converted(to target: DType) throws -> ArrayArgument {
        let result = try SwiftBuffer(shape: shapeList, format: target.format, itemSize: target.itemSize)
        let source = pinned, destination = unsafe result.bytes.baseAddress!
        let sourceType = dtype
        for i in 0..<rows {
            for j in 0..<columns {
                // SAFETY: (i, j) is inside the pinned array's shape; the result is C-ordered.
                let p = unsafe source.address!.advanced(by: i &* source.rowStride &+ j &* source.columnStride)
                unsafe target.store(sourceType.load(p), destination + (i * columns + j) * target.itemSize)
            }
        }
        return ArrayArgument(swiftBuffer: result, dtype: target, ndim: ndim, rows: rows, columns: columns)
    }

    /// The same memory, marked as not being the caller's object.
    var asPrivateCopy: ArrayArgument {
        unsafe ArrayArgument(owner: owner, dtype: dtype, ndim: ndim, rows: rows, columns: columns, rowStride: rowStride,
                      columnStride: columnStride, address: address, isCallersMemory: false, isReadOnly: isReadOnly)
    }

    var shapeList: [Int] {
        switch ndim {
        case 0: []
        case 1: [rows]
        default: [rows, columns]
        }
    }

    /// An argument backed by a new `SwiftBuffer` (any order: its own strides are used).
    init(swiftBuffer: SwiftBuffer, dtype: DType, ndim: Int, rows: Int, columns: Int) {
        unsafe self.init(
            owner: swiftBuffer, dtype: dtype, ndim: ndim, rows: rows, columns: columns,
            rowStride: ndim >= 1 ? swiftBuffer.byteStride(0) : 0, columnStride: ndim == 2 ? swiftBuffer.byteStride(1) : 0,
            address: swiftBuffer.bytes.baseAddress, isCallersMemory: false, isReadOnly: false)
    }

    /// A new zeroed array of `dtype` (1-D when `columns` is nil), wrapped in a SwiftBuffer.
    static func allocate(_ dtype: DType, rows: Int, columns: Int?, order: SwiftBuffer.Order = .c) throws -> (ArrayArgument, SwiftBuffer) {
        let buffer = try SwiftBuffer(shape: columns.map { [rows, $0] } ?? [rows], format: dtype.format,
                                     itemSize: dtype.itemSize, order: order)
        return (ArrayArgument(swiftBuffer: buffer, dtype: dtype, ndim: columns == nil ? 1 : 2, rows: rows, columns: columns ?? 1), buffer)
    }

    /// Copies a buffer of any numeric struct format (integers, bool, float, double, either
    /// byte order) into a new C-ordered array of `dtype`.
    static func copy(_ buffer: PyBuffer, to dtype: DType, name: String) throws -> ArrayArgument {
        let format = buffer.format
        guard let reader = ElementReader(format: format, itemSize: buffer.itemSize) else {
            throw PyException.typeError("\(name): unsupported array format '\(format)' (expected numbers, e.g. float64 'd' or float32 'f')")
        }
        let ndim = buffer.dimensions
        guard ndim <= 2 else {
            throw PyException.valueError("\(name): expected at most 2 dimensions, got \(ndim)")
        }
        let shape = buffer.shape, strides = buffer.strides
        let rows = ndim >= 1 ? shape[0] : 1, columns = ndim == 2 ? shape[1] : 1
        let rowStride = ndim >= 1 ? strides[0] : 0, columnStride = ndim == 2 ? strides[1] : 0
        let result = try SwiftBuffer(shape: Array(shape.prefix(ndim)), format: dtype.format, itemSize: dtype.itemSize)
        if let base = unsafe buffer.baseAddress, rows > 0, columns > 0 {
            let destination = unsafe result.bytes.baseAddress!
            for i in 0..<rows {
                for j in 0..<columns {
                    let value = unsafe reader.read(UnsafeRawPointer(base).advanced(by: i &* rowStride &+ j &* columnStride))
                    unsafe dtype.store((value, 0), destination + (i * columns + j) * dtype.itemSize)
                }
            }
        }
        return ArrayArgument(swiftBuffer: result, dtype: dtype, ndim: ndim, rows: rows, columns: columns)
    }

    /// Converts a non-buffer object (a list of numbers, a list of rows, a number) through
    /// `numpy.asarray` when numpy is importable, else by reading nested sequences.
    static func fromSequence(_ object: PyBorrowedRef, _ py: Python, dtype: DType, name: String) throws -> ArrayArgument {
        if let numpy = try? py.importModule("numpy") {
            let asarray = try py.getAttribute(numpy.borrowed, "asarray")
            let array: PyObjectRef
            do {
                array = try py.call(asarray.borrowed, [PyObjectRef(object)], kwargs: ["dtype": try dtype.name.toPython(py)])
            } catch let error as PyException {
                throw PyException.typeError("\(name): cannot convert \(object.typeName) to a \(dtype.name) array (\(error.message))")
            }
            let (pinned, buffer) = try pin(array.borrowed, py)
            // numpy's new array is private to this call: never hand it back as the caller's.
            if let pinned, pinned.dtype == dtype { return pinned.asPrivateCopy }
            if let buffer { return try copy(buffer, to: dtype, name: name) }
            throw PyException.typeError("\(name): cannot convert \(object.typeName) to a \(dtype.name) array")
        }
        let result: SwiftBuffer
        var ndim = 1, rows = 0, columns = 1
        if let matrix = try? [[Double]](fromPython: object, py) {
            ndim = 2
            rows = matrix.count
            columns = matrix.first?.count ?? 0
            guard matrix.allSatisfy({ $0.count == columns }) else {
                throw PyException.valueError("\(name): rows of different lengths")
            }
            result = try SwiftBuffer(shape: [rows, columns], format: dtype.format, itemSize: dtype.itemSize)
            store(matrix.flatMap { $0 }, into: result, dtype)
        } else if let vector = try? [Double](fromPython: object, py) {
            rows = vector.count
            result = try SwiftBuffer(shape: [rows], format: dtype.format, itemSize: dtype.itemSize)
            store(vector, into: result, dtype)
        } else if let scalar = try? Double(fromPython: object, py) {
            ndim = 0
            rows = 1
            result = try SwiftBuffer(shape: [], format: dtype.format, itemSize: dtype.itemSize)
            store([scalar], into: result, dtype)
        } else {
            throw PyException.typeError("\(name): expected an array of numbers, not '\(object.typeName)'")
        }
        return ArrayArgument(swiftBuffer: result, dtype: dtype, ndim: ndim, rows: rows, columns: columns)
    }

    private static func store(_ values: [Double], into buffer: SwiftBuffer, _ dtype: DType) {
        guard let base = unsafe buffer.bytes.baseAddress else { return }
        // SAFETY: the buffer was allocated for `values.count` items of `dtype`.
        for i in values.indices { unsafe dtype.store((values[i], 0), base + i * dtype.itemSize) }
    }
}

import BLAS
import SwiftPy

/// The two element types swiftpy.blas computes with.
enum DType: Sendable, Equatable {
    case float32, float64

    var format: String { self == .float64 ? "d" : "f" }
    var itemSize: Int { self == .float64 ? 8 : 4 }
    var name: String { self == .float64 ? "float64" : "float32" }

    /// The dtype of a native-order single type code (see `PyBuffer.nativeFormatCode`).
    init?(code: UInt8?, itemSize: Int) {
        switch code {
        case UInt8(ascii: "d") where itemSize == 8: self = .float64
        case UInt8(ascii: "f") where itemSize == 4: self = .float32
        default: return nil
        }
    }
}

/// A 0-, 1- or 2-D array argument pinned for the call: its memory (the caller's, or a
/// converted copy), element type, shape and strides in bytes.
///
/// Used with the GIL held only; detached code receives a ``PinnedArray`` made from it.
struct ArrayArgument {
    /// Keeps the memory alive and pinned: the caller's `PyBuffer`, or the `SwiftBuffer`
    /// holding a converted copy.
    let owner: AnyObject?
    let dtype: DType
    let ndim: Int
    /// Extents of dimensions 0 and 1 (1 for missing dimensions).
    let rows: Int
    let columns: Int
    /// Byte strides of dimensions 0 and 1 (0 for missing dimensions).
    let rowStride: Int
    let columnStride: Int
    let address: UnsafeMutableRawPointer?
    /// Whether `address` is the caller's own memory (no conversion happened).
    let isCallersMemory: Bool
    let isReadOnly: Bool

    var pinned: PinnedArray {
        PinnedArray(address: address, rows: rows, columns: columns, rowStride: rowStride, columnStride: columnStride)
    }

    /// Number of elements along dimension 0 of a 1-D array.
    var count: Int { rows }

    var shapeDescription: String {
        switch ndim {
        case 0: "()"
        case 1: "(\(rows),)"
        default: "(\(rows), \(columns))"
        }
    }

    /// Whether the elements are contiguous in Fortran (column-major) order.
    var isFortranContiguous: Bool {
        let size = dtype.itemSize
        if rows <= 1 || columns <= 1 {
            // A vector: contiguous along its long dimension.
            if rows > 1 { return rowStride == size }
            if columns > 1 { return columnStride == size }
            return true
        }
        return rowStride == size && columnStride == size &* rows
    }

    /// Whether the elements are contiguous in C (row-major) order.
    var isCContiguous: Bool {
        let size = dtype.itemSize
        if rows <= 1 || columns <= 1 {
            if rows > 1 { return rowStride == size }
            if columns > 1 { return columnStride == size }
            return true
        }
        return columnStride == size && rowStride == size &* columns
    }

    /// The lowest and one-past-highest byte addresses the array touches (nil if empty).
    var byteRange: (low: UInt, high: UInt)? {
        guard rows > 0, columns > 0, let address else { return nil }
        var low = UInt(bitPattern: address), high = low
        func extend(_ extent: Int, _ stride: Int) -> Bool {
            guard extent > 1 else { return true }
            // Validated by the BLAS views before use; here stay trap-free on any input.
            let (span, overflow) = (extent - 1).multipliedReportingOverflow(by: stride)
            if overflow { return false }
            if span < 0 { low = low &- UInt(span.magnitude) } else { high = high &+ UInt(span) }
            return true
        }
        guard extend(rows, rowStride), extend(columns, columnStride) else { return (0, UInt.max) }
        return (low, high &+ UInt(dtype.itemSize))
    }

    /// Runs `body` while the memory of `arrays` is certainly alive (pinned buffers and
    /// converted copies are not released before `body` returns).
    static func keepingAlive<R>(_ a: ArrayArgument, _ b: ArrayArgument? = nil, _ c: ArrayArgument? = nil,
                                _ d: ArrayArgument? = nil, _ body: () throws -> R) rethrows -> R {
        try withExtendedLifetime(a.owner) {
            try withExtendedLifetime(b?.owner) {
                try withExtendedLifetime(c?.owner) {
                    try withExtendedLifetime(d?.owner) { try body() }
                }
            }
        }
    }

    func overlaps(_ other: ArrayArgument) -> Bool {
        guard let a = byteRange, let b = other.byteRange else { return false }
        return a.low < b.high && b.low < a.high
    }
}

/// The memory of an ``ArrayArgument`` described with plain values, for detached code.
///
/// SAFETY: `@unchecked Sendable` because it carries a raw address across the detach
/// boundary. Every use is inside `ArrayArgument.keepingAlive(arguments) { py.detach { ... } }`
/// where `arguments` hold the pinned `PyBuffer`s (or the `SwiftBuffer`s of converted
/// copies), so the memory stays valid and in place for the whole detached call. Python
/// code cannot run meanwhile on this thread, and a pinned exporter refuses to resize.
struct PinnedArray: @unchecked Sendable {
    let address: UnsafeMutableRawPointer?
    let rows: Int
    let columns: Int
    let rowStride: Int
    let columnStride: Int

    func matrix<T: BLASScalar>(_: T.Type) throws(BLASError) -> MatrixView<T> {
        try MatrixView(bytes: UnsafeRawPointer(address), rows: rows, columns: columns,
                       rowByteStride: rowStride, columnByteStride: columnStride)
    }

    func mutableMatrix<T: BLASScalar>(_: T.Type) throws(BLASError) -> MutableMatrixView<T> {
        try MutableMatrixView(bytes: address, rows: rows, columns: columns,
                              rowByteStride: rowStride, columnByteStride: columnStride)
    }

    /// Dimension 0 as a vector.
    func vector<T: BLASScalar>(_: T.Type) throws(BLASError) -> VectorView<T> {
        try VectorView(bytes: UnsafeRawPointer(address), count: rows, byteStride: rowStride)
    }

    func mutableVector<T: BLASScalar>(_: T.Type) throws(BLASError) -> MutableVectorView<T> {
        try MutableVectorView(bytes: address, count: rows, byteStride: rowStride)
    }

    /// A strided slice of dimension 0 with BLAS's conventions: `count` elements starting
    /// at `offset`, every `increment`; a negative increment walks them backwards from the
    /// last one (the element at `offset + (count-1)·|increment|` comes first). The caller
    /// has checked that the slice lies inside the array.
    func slice(offset: Int, increment: Int, count: Int) -> PinnedArray {
        let step = increment.magnitude
        let firstIndex = increment < 0 ? offset + (count > 0 ? (count - 1) * Int(step) : 0) : offset
        let start = address.map { $0 + firstIndex * rowStride }
        return PinnedArray(address: start, rows: count, columns: 1, rowStride: increment * rowStride, columnStride: 0)
    }
}

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
        guard let dtype = DType(code: buffer.nativeFormatCode, itemSize: buffer.itemSize) else { return (nil, buffer) }
        let ndim = buffer.dimensions
        guard ndim <= 2 else { return (nil, buffer) }
        return (ArrayArgument(
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
        if let pinned { return try pinned.converted(to: dtype) }
        if let buffer { return try copy(buffer, to: dtype, name: name) }
        return try fromSequence(object, py, dtype: dtype, name: name)
    }

    /// A converted copy (float32 ⇄ float64) in C order.
    func converted(to target: DType) throws -> ArrayArgument {
        let result = try SwiftBuffer(shape: shapeList, format: target.format, itemSize: target.itemSize)
        let source = pinned, destination = result.bytes.baseAddress!
        let sourceType = dtype
        for i in 0..<rows {
            for j in 0..<columns {
                let p = source.address!.advanced(by: i &* source.rowStride &+ j &* source.columnStride)
                let value: Double = sourceType == .float64 ? p.loadUnaligned(as: Double.self) : Double(p.loadUnaligned(as: Float.self))
                let index = i * columns + j
                if target == .float64 {
                    destination.storeBytes(of: value, toByteOffset: index * 8, as: Double.self)
                } else {
                    destination.storeBytes(of: Float(value), toByteOffset: index * 4, as: Float.self)
                }
            }
        }
        return ArrayArgument(swiftBuffer: result, dtype: target, ndim: ndim, rows: rows, columns: columns)
    }

    /// The same memory, marked as not being the caller's object.
    var asPrivateCopy: ArrayArgument {
        ArrayArgument(owner: owner, dtype: dtype, ndim: ndim, rows: rows, columns: columns, rowStride: rowStride,
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
        self.init(
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
        if let base = buffer.baseAddress, rows > 0, columns > 0 {
            let destination = result.bytes.baseAddress!
            for i in 0..<rows {
                for j in 0..<columns {
                    let value = reader.read(UnsafeRawPointer(base).advanced(by: i &* rowStride &+ j &* columnStride))
                    let index = i * columns + j
                    if dtype == .float64 {
                        destination.storeBytes(of: value, toByteOffset: index * 8, as: Double.self)
                    } else {
                        destination.storeBytes(of: Float(value), toByteOffset: index * 4, as: Float.self)
                    }
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
                array = try py.call(asarray.borrowed, [PyObjectRef(object)], kwargs: ["dtype": try dtype.format.toPython(py)])
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
        if dtype == .float64 {
            buffer.withUnsafeMutableBufferPointer(of: Double.self) { for i in values.indices { $0[i] = values[i] } }
        } else {
            buffer.withUnsafeMutableBufferPointer(of: Float.self) { for i in values.indices { $0[i] = Float(values[i]) } }
        }
    }
}

/// Reads one element of a struct-module numeric format as a Double.
struct ElementReader {
    enum Kind { case signed, unsigned, float, bool }
    let kind: Kind
    let size: Int
    let swapped: Bool

    init?(format: String, itemSize: Int) {
        var chars = Array(format.utf8)
        var swapped = false
        if let first = chars.first, "@=<>!".utf8.contains(first) {
            swapped = first == UInt8(ascii: ">") || first == UInt8(ascii: "!")
            chars.removeFirst()
        }
        guard chars.count == 1 else { return nil }
        switch chars[0] {
        case UInt8(ascii: "b"), UInt8(ascii: "h"), UInt8(ascii: "i"), UInt8(ascii: "l"), UInt8(ascii: "q"), UInt8(ascii: "n"):
            kind = .signed
        case UInt8(ascii: "B"), UInt8(ascii: "H"), UInt8(ascii: "I"), UInt8(ascii: "L"), UInt8(ascii: "Q"), UInt8(ascii: "N"):
            kind = .unsigned
        case UInt8(ascii: "f"), UInt8(ascii: "d"): kind = .float
        case UInt8(ascii: "?"): kind = .bool
        default: return nil
        }
        guard [1, 2, 4, 8].contains(itemSize), kind != .float || itemSize >= 4 else { return nil }
        self.size = itemSize
        self.swapped = swapped
    }

    func read(_ p: UnsafeRawPointer) -> Double {
        var bits: UInt64 = 0
        switch size {
        case 1: bits = UInt64(p.load(as: UInt8.self))
        case 2: let v = p.loadUnaligned(as: UInt16.self); bits = UInt64(swapped ? v.byteSwapped : v)
        case 4: let v = p.loadUnaligned(as: UInt32.self); bits = UInt64(swapped ? v.byteSwapped : v)
        default: let v = p.loadUnaligned(as: UInt64.self); bits = swapped ? v.byteSwapped : v
        }
        switch kind {
        case .bool: return bits != 0 ? 1 : 0
        case .unsigned: return Double(bits)
        case .float: return size == 4 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))) : Double(bitPattern: bits)
        case .signed:
            let shift = UInt64(64 - 8 * size)
            return Double(Int64(bitPattern: bits << shift) >> Int64(shift))
        }
    }
}

// Validation of pointer + shape + byte strides, shared by the matrix and vector views.
// Non-generic and not inlinable: one direct call per view construction, no metadata.

/// The byte range `[low, high)` an operand may touch; empty (low == high) for size 0.
/// Used to detect outputs that share memory with inputs.
@usableFromInline
struct _Extent: Sendable, Equatable {
    @usableFromInline let low: UInt
    @usableFromInline let high: UInt

    @inlinable
    init(low: UInt, high: UInt) {
        self.low = low
        self.high = high
    }

    @inlinable
    func overlaps(_ other: _Extent) -> Bool {
        low < other.high && other.low < high
    }
}

/// A stand-in address for empty operands whose buffer has no pointer (Swift's empty
/// buffers have a nil base). It is never dereferenced: every routine quick-returns on size 0.
@inlinable
func _emptyPlaceholder() -> UnsafeMutableRawPointer {
    // SAFETY: 64 is non-zero, so the conversion cannot fail; the address is never read.
    unsafe UnsafeMutableRawPointer(bitPattern: 64).unsafelyUnwrapped
}

/// Extent of one dimension: the most negative and most positive byte offset it reaches.
@usableFromInline
func _dimensionSpan(_ count: Int, _ byteStride: Int) -> (low: Int, high: Int)? {
    guard count > 1 else { return (0, 0) }
    let (last, overflow) = (count - 1).multipliedReportingOverflow(by: byteStride)
    if overflow { return nil }
    return last < 0 ? (last, 0) : (0, last)
}

/// Turns relative byte offsets `[low, high + size)` around `address` into an absolute
/// extent, or nil when it wraps around the address space.
@usableFromInline
func _absoluteExtent(address: UInt, low: Int, high: Int, size: Int) -> _Extent? {
    let (end, o1) = high.addingReportingOverflow(size)
    if o1 { return nil }
    let lowMagnitude = low.magnitude
    guard lowMagnitude <= address else { return nil }
    let (top, o2) = address.addingReportingOverflow(UInt(end))
    if o2 { return nil }
    return _Extent(low: address - lowMagnitude, high: top)
}

/// The checked geometry of a matrix view.
@usableFromInline
struct _MatrixGeometry {
    @usableFromInline var rowStride: Int
    @usableFromInline var columnStride: Int
    @usableFromInline var layout: MatrixLayout
    @usableFromInline var extent: _Extent
}

/// Validates a matrix described as a Python buffer would describe it and classifies its
/// layout for CBLAS.
///
/// Strides of dimensions of extent ≤ 1 are never used, so they are normalised to 0 before
/// any check (numpy leaves arbitrary values there under relaxed strides).
@usableFromInline
func _validateMatrix(
    address: UInt, rows: Int, columns: Int, rowByteStride: Int, columnByteStride: Int,
    size: Int, alignment: Int
) throws(BLASError) -> _MatrixGeometry {
    guard rows >= 0, columns >= 0 else {
        throw BLASError(.invalidShape, "matrix shape (\(rows), \(columns)) has a negative dimension")
    }
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    if overflow {
        throw BLASError(.tooLarge, "matrix shape (\(rows), \(columns)) has too many elements")
    }
    if count == 0 {
        return _MatrixGeometry(
            rowStride: 0, columnStride: 0, layout: .rowMajor(leadingDimension: max(1, columns)),
            extent: _Extent(low: address, high: address))
    }
    guard address != 0 else {
        throw BLASError(.invalidShape, "null data pointer for a non-empty (\(rows), \(columns)) matrix")
    }
    let rowBytes = rows > 1 ? rowByteStride : 0
    let columnBytes = columns > 1 ? columnByteStride : 0
    guard _isMultiple(rowBytes, of: size), _isMultiple(columnBytes, of: size) else {
        throw BLASError(
            .invalidStride,
            "matrix strides (\(rowByteStride), \(columnByteStride)) bytes are not multiples of "
                + "the element size \(size)")
    }
    guard let r = _dimensionSpan(rows, rowBytes), let c = _dimensionSpan(columns, columnBytes),
        case (let low, false) = r.low.addingReportingOverflow(c.low),
        case (let high, false) = r.high.addingReportingOverflow(c.high),
        let extent = _absoluteExtent(address: address, low: low, high: high, size: size)
    else {
        throw BLASError(
            .invalidStride,
            "matrix shape (\(rows), \(columns)) with strides (\(rowByteStride), "
                + "\(columnByteStride)) exceeds the address space")
    }
    let rs = _exactQuotient(rowBytes, size)
    let cs = _exactQuotient(columnBytes, size)
    let layout: MatrixLayout
    let limit = Int(Int32.max)
    if !_isAligned(address, alignment) {
        layout = .strided
    } else if (cs == 1 || columns <= 1) && (rows <= 1 || (rs >= max(1, columns) && rs <= limit)) {
        layout = .rowMajor(leadingDimension: rows <= 1 ? max(1, columns) : rs)
    } else if (rs == 1 || rows <= 1) && (columns <= 1 || (cs >= max(1, rows) && cs <= limit)) {
        layout = .columnMajor(leadingDimension: columns <= 1 ? max(1, rows) : cs)
    } else {
        layout = .strided
    }
    return _MatrixGeometry(rowStride: rs, columnStride: cs, layout: layout, extent: extent)
}

/// The checked geometry of a vector view.
@usableFromInline
struct _VectorGeometry {
    @usableFromInline var stride: Int
    /// The CBLAS increment, or 0 when BLAS cannot use the view directly (misaligned, zero
    /// stride with more than one element, or an increment beyond Int32).
    @usableFromInline var increment: Int32
    /// Byte offset from element 0 to the lowest-addressed element (what CBLAS wants as `x`
    /// when the increment is negative).
    @usableFromInline var lowestOffset: Int
    @usableFromInline var extent: _Extent
}

@usableFromInline
func _validateVector(
    address: UInt, count: Int, byteStride: Int, size: Int, alignment: Int
) throws(BLASError) -> _VectorGeometry {
    guard count >= 0 else {
        throw BLASError(.invalidShape, "vector length \(count) is negative")
    }
    if count == 0 {
        return _VectorGeometry(
            stride: 0, increment: 1, lowestOffset: 0, extent: _Extent(low: address, high: address))
    }
    guard address != 0 else {
        throw BLASError(.invalidShape, "null data pointer for a non-empty vector of length \(count)")
    }
    let bytes = count > 1 ? byteStride : 0
    guard _isMultiple(bytes, of: size) else {
        throw BLASError(
            .invalidStride,
            "vector stride \(byteStride) bytes is not a multiple of the element size \(size)")
    }
    guard let span = _dimensionSpan(count, bytes),
        let extent = _absoluteExtent(address: address, low: span.low, high: span.high, size: size)
    else {
        throw BLASError(
            .invalidStride,
            "vector of length \(count) with stride \(byteStride) exceeds the address space")
    }
    let stride = _exactQuotient(bytes, size)
    let increment: Int32
    if count <= 1 {
        increment = 1
    } else if _isAligned(address, alignment), stride != 0, stride.magnitude <= UInt(Int32.max) {
        increment = Int32(stride)
    } else {
        increment = 0
    }
    return _VectorGeometry(
        stride: stride, increment: increment, lowestOffset: span.low, extent: extent)
}

/// Element-stride → byte-stride conversion for the typed initialisers.
@usableFromInline
func _byteStride(_ elements: Int, size: Int) throws(BLASError) -> Int {
    let (bytes, overflow) = elements.multipliedReportingOverflow(by: size)
    if overflow {
        throw BLASError(.invalidStride, "stride \(elements) elements overflows a byte offset")
    }
    return bytes
}

// Element sizes and alignments are powers of two for Float and Double: masks and shifts
// instead of integer division, which costs ~25 cycles each and would dominate the
// validation of a tiny operand. Other sizes fall back to division.

@inline(__always)
func _isMultiple(_ value: Int, of size: Int) -> Bool {
    size & (size &- 1) == 0 ? value & (size &- 1) == 0 : value % size == 0
}

/// `value / size` for a `value` known to be a multiple of `size` (exact for negatives too:
/// the arithmetic shift of an exact multiple rounds nowhere).
@inline(__always)
func _exactQuotient(_ value: Int, _ size: Int) -> Int {
    size & (size &- 1) == 0 ? value >> size.trailingZeroBitCount : value / size
}

@inline(__always)
func _isAligned(_ address: UInt, _ alignment: Int) -> Bool {
    let a = UInt(alignment)
    return a & (a &- 1) == 0 ? address & (a &- 1) == 0 : address % a == 0
}

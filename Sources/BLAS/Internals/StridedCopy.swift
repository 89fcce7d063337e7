// Element-by-element copies between strided views and contiguous temporaries. All offsets
// stay inside extents validated when the views were built, so the wrapping arithmetic
// (&*, &+) cannot actually wrap; unaligned loads/stores cover misaligned Python buffers.

/// Copies `source` into `destination` as a contiguous row-major matrix (ld = columns).
@inlinable
func _gather<T: BLASElement>(_ source: MatrixView<T>, into destination: UnsafeMutablePointer<T>) {
    let size = MemoryLayout<T>.size
    let base = unsafe source.baseAddress
    let rs = source.rowStride &* size
    let cs = source.columnStride &* size
    var out = unsafe destination
    for i in 0..<source.rows {
        var offset = i &* rs
        for _ in 0..<source.columns {
            // SAFETY: (i, j) is in range, so the offset lies inside the validated extent;
            // `destination` holds rows·columns elements.
            unsafe out.initialize(to: base.loadUnaligned(fromByteOffset: offset, as: T.self))
            unsafe out += 1
            offset &+= cs
        }
    }
}

/// Copies a contiguous row-major matrix (ld = columns) into the strided `destination`.
@inlinable
func _scatter<T: BLASElement>(_ source: UnsafePointer<T>, into destination: MutableMatrixView<T>) {
    let size = MemoryLayout<T>.size
    let base = unsafe destination.baseAddress
    let rs = destination.rowStride &* size
    let cs = destination.columnStride &* size
    var input = unsafe source
    for i in 0..<destination.rows {
        var offset = i &* rs
        for _ in 0..<destination.columns {
            // SAFETY: as in _gather; storeBytes tolerates misalignment.
            unsafe base.storeBytes(of: input.pointee, toByteOffset: offset, as: T.self)
            unsafe input += 1
            offset &+= cs
        }
    }
}

/// Copies the vector `source` into `count` contiguous elements.
@inlinable
func _gather<T: BLASElement>(_ source: VectorView<T>, into destination: UnsafeMutablePointer<T>) {
    let size = MemoryLayout<T>.size
    let step = source.stride &* size
    var offset = 0
    for i in 0..<source.count {
        // SAFETY: i < count, so the offset lies inside the validated extent.
        unsafe (destination + i).initialize(to: source.baseAddress.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset &+= step
    }
}

/// Copies `count` contiguous elements into the strided vector `destination`.
@inlinable
func _scatter<T: BLASElement>(_ source: UnsafePointer<T>, into destination: MutableVectorView<T>) {
    let size = MemoryLayout<T>.size
    let step = destination.stride &* size
    var offset = 0
    for i in 0..<destination.count {
        // SAFETY: as above; storeBytes tolerates misalignment.
        unsafe destination.baseAddress.storeBytes(of: source[i], toByteOffset: offset, as: T.self)
        offset &+= step
    }
}

/// Whether distinct (i, j) address distinct memory — required of every output, since a
/// result written twice to one place is ill-defined. Direct BLAS layouts always qualify;
/// for strided ones this is a sufficient test (the smaller stride's whole run must fit
/// strictly inside one step of the larger stride), which accepts every layout numpy
/// produces by slicing, transposing or reversing a writable array.
@inlinable
func _hasDistinctElements<T>(_ view: MatrixView<T>) -> Bool {
    if view.layout.isBLASCompatible || view.rows <= 1 && view.columns <= 1 { return true }
    if view.rows <= 1 { return view.columnStride != 0 }
    if view.columns <= 1 { return view.rowStride != 0 }
    var (small, smallCount, large) = (view.columnStride.magnitude, view.columns, view.rowStride.magnitude)
    if small > large { (small, smallCount, large) = (large, view.rows, small) }
    // SAFETY of the multiplication: both factors bound a dimension's validated extent.
    return small >= 1 && small &* UInt(smallCount - 1) < large
}

/// `C = beta·C` (beta == 0 writes zeros without reading, as BLAS does): the result of a
/// product whose inner dimension is 0, which some BLAS quick-returns skip.
@inlinable
func _scale<T: BLASElement>(_ c: MutableMatrixView<T>, by beta: T, routine: StaticString) throws(BLASError) {
    if beta == 1 { return }
    guard _hasDistinctElements(c.view) else { throw .overlappingOutput(routine) }
    let size = MemoryLayout<T>.size
    for i in 0..<c.rows {
        for j in 0..<c.columns {
            let offset = (i &* c.rowStride &+ j &* c.columnStride) &* size
            // SAFETY: (i, j) in range, inside the validated extent.
            let value = unsafe beta == 0 ? 0 : beta * c.baseAddress.loadUnaligned(fromByteOffset: offset, as: T.self)
            unsafe c.baseAddress.storeBytes(of: value, toByteOffset: offset, as: T.self)
        }
    }
}

/// `y = beta·y` for vectors, with the same beta == 0 rule.
@inlinable
func _scale<T: BLASElement>(_ y: MutableVectorView<T>, by beta: T, routine: StaticString) throws(BLASError) {
    if beta == 1 { return }
    guard y.hasDistinctElements else { throw .overlappingOutput(routine) }
    for i in 0..<y.count {
        y[i] = beta == 0 ? 0 : beta * y[i]
    }
}

/// The CBLAS order and leading dimension of a directly usable layout.
@inlinable
func _operand(_ layout: MatrixLayout) -> (order: BLASOrder, ld: Int32)? {
    switch layout {
    // SAFETY of the conversions: the classification guarantees ld ≤ Int32.max whenever the
    // dimension it derives from has been checked against Int32.max by the routine.
    case .rowMajor(let ld): return (.rowMajor, Int32(truncatingIfNeeded: ld))
    case .columnMajor(let ld): return (.columnMajor, Int32(truncatingIfNeeded: ld))
    case .strided: return nil
    }
}

/// General matrix–vector product: `y = alpha·op(A)·x + beta·y`.
///
/// A row-major A is passed as `CblasRowMajor`, a column-major one as `CblasColMajor`, with
/// the caller's transpose flag: no copy. Strided A, vectors CBLAS cannot use in place
/// (zero stride, misaligned), and inputs that share memory with y are copied first. When
/// `op(A)` has no columns the product is 0 and y becomes `beta·y` (BLAS would leave y
/// untouched). With `beta == 0`, y is not read.
///
/// The corresponding C functions are `cblas_sgemv` and `cblas_dgemv`.
///
/// - Throws: ``BLASError`` on mismatched lengths (`gemv: shapes (2, 3) and (4,) not
///   aligned: 3 (dim 1) != 4 (dim 0)`), a dimension above `Int32.max`, a y with a zero
///   stride, or a failed temporary allocation.
@inlinable
public func gemv<T: BLASElement>(
    transpose: BLASTranspose = .none, alpha: T = 1, _ a: MatrixView<T>, _ x: VectorView<T>,
    beta: T = 0, into y: MutableVectorView<T>
) throws(BLASError) {
    let rows = transpose.transposes ? a.columns : a.rows
    let inner = transpose.transposes ? a.rows : a.columns
    guard x.count == inner else { throw .gemvNotAligned(rows, inner, x.count) }
    guard y.count == rows else { throw .lengthMismatch("gemv", "y", expected: rows, got: y.count) }
    let limit = Int(Int32.max)
    guard a.rows <= limit else { throw .tooLarge("gemv", a.rows) }
    guard a.columns <= limit else { throw .tooLarge("gemv", a.columns) }
    if rows == 0 { return }
    if inner == 0 { return try _scale(y, by: beta, routine: "gemv") }
    if let oa = _operand(a.layout), x.increment != 0, y.view.increment != 0,
        !a.extent.overlaps(y.view.extent), !x.extent.overlaps(y.view.extent)
    {
        // SAFETY: compatible layouts/increments ⇒ aligned bases inside validated extents.
        unsafe _gemvCall(
            oa.order, transpose, a.rows, a.columns, alpha,
            a.baseAddress.assumingMemoryBound(to: T.self), oa.ld,
            x.blasPointer, x.increment, beta, y.blasPointer, y.view.increment)
        return
    }
    try _gemvCopying(transpose, alpha, a, x, beta, y)
}

@inlinable
func _gemvCall<T: BLASElement>(
    _ order: BLASOrder, _ transpose: BLASTranspose, _ m: Int, _ n: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int32, _ x: UnsafePointer<T>, _ incx: Int32,
    _ beta: T, _ y: UnsafeMutablePointer<T>, _ incy: Int32
) {
    let guarded = m &* n > BLASThreadPolicy.gemvMultithreadingThreshold
    let mode = guarded ? BLASThreadPolicy.shared.enter(mayWait: false) : .unmanaged
    // SAFETY of the truncations: m and n were checked against Int32.max.
    unsafe T.uncheckedGEMV(
        order, transpose, Int32(truncatingIfNeeded: m), Int32(truncatingIfNeeded: n), alpha,
        a, lda, x, incx, beta, y, incy)
    if guarded { BLASThreadPolicy.shared.leave(mode) }
}

@inlinable @inline(never)
func _gemvCopying<T: BLASElement>(
    _ transpose: BLASTranspose, _ alpha: T, _ a: MatrixView<T>, _ x: VectorView<T>,
    _ beta: T, _ y: MutableVectorView<T>
) throws(BLASError) {
    guard y.hasDistinctElements else { throw .overlappingOutput("gemv") }
    var scratch: [_Scratch<T>] = []
    defer { for s in scratch { s.free() } }

    let pa: UnsafePointer<T>
    let order: BLASOrder
    let lda: Int32
    if let oa = _operand(a.layout), !a.extent.overlaps(y.view.extent) {
        // SAFETY: compatible layout ⇒ aligned base inside the validated extent.
        unsafe (pa, order, lda) = unsafe (a.baseAddress.assumingMemoryBound(to: T.self), oa.order, oa.ld)
    } else {
        let s = try _Scratch<T>(count: a.count, routine: "gemv")
        scratch.append(s)
        unsafe _gather(a, into: s.pointer)
        unsafe (pa, order, lda) = unsafe (UnsafePointer(s.pointer), .rowMajor, Int32(truncatingIfNeeded: max(1, a.columns)))
    }
    let px: UnsafePointer<T>
    let incx: Int32
    if x.increment != 0, !x.extent.overlaps(y.view.extent) {
        unsafe (px, incx) = unsafe (x.blasPointer, x.increment)
    } else {
        let s = try _Scratch<T>(count: x.count, routine: "gemv")
        scratch.append(s)
        unsafe _gather(x, into: s.pointer)
        unsafe (px, incx) = unsafe (UnsafePointer(s.pointer), 1)
    }
    if y.view.increment != 0 {
        unsafe _gemvCall(order, transpose, a.rows, a.columns, alpha, pa, lda, px, incx, beta, y.blasPointer, y.view.increment)
    } else {
        let s = try _Scratch<T>(count: y.count, routine: "gemv")
        scratch.append(s)
        if beta == 0 { unsafe s.pointer.initialize(repeating: 0, count: y.count) } else { unsafe _gather(y.view, into: s.pointer) }
        unsafe _gemvCall(order, transpose, a.rows, a.columns, alpha, pa, lda, px, incx, beta, s.pointer, 1)
        unsafe _scatter(UnsafePointer(s.pointer), into: y)
    }
}

extension BLASError {
    @usableFromInline
    static func gemvNotAligned(_ rows: Int, _ inner: Int, _ length: Int) -> BLASError {
        BLASError(
            .shapeMismatch,
            "gemv: shapes (\(rows), \(inner)) and (\(length),) not aligned: "
                + "\(inner) (dim 1) != \(length) (dim 0)")
    }
}

/// General matrix–matrix product: `C = alpha·op(A)·op(B) + beta·C`.
///
/// Any combination of row- and column-major operands maps to ONE CBLAS call without
/// copying: the call uses C's storage order, and an operand stored in the other order is
/// passed as its transpose (the transpose flag is flipped). Only operands CBLAS cannot use
/// in place (``MatrixLayout/strided``) or inputs that share memory with C are copied into
/// a temporary first; a strided C is computed in a temporary and copied back. With
/// `beta == 0`, C is not read (NaNs in it do not propagate), as in BLAS.
///
/// The fast path (all operands BLAS-compatible, no overlap) allocates nothing: it checks
/// shapes, picks the flags and calls `cblas_?gemm`. Calls with `m·n·k` above
/// ``BLASThreadPolicy/multithreadingThreshold`` go through ``BLASThreadPolicy``.
///
/// The corresponding C functions are `cblas_sgemm` and `cblas_dgemm`.
///
/// - Parameters:
///   - transposeA: whether `op(A)` is `A` or `Aᵀ`.
///   - transposeB: whether `op(B)` is `B` or `Bᵀ`.
///   - a: an `m × k` matrix after `op`.
///   - b: a `k × n` matrix after `op`.
///   - c: the `m × n` output; must not have elements that share memory.
/// - Throws: ``BLASError`` on mismatched shapes (`gemm: shapes (2, 3) and (4, 5) not
///   aligned: 3 (dim 1) != 4 (dim 0)`, where the shapes are those of `op(A)` and `op(B)`),
///   a wrong output shape, a dimension above `Int32.max`, a self-overlapping C, or a failed
///   temporary allocation.
@inlinable
public func gemm<T: BLASElement>(
    transposeA: BLASTranspose = .none, transposeB: BLASTranspose = .none,
    alpha: T = 1, _ a: MatrixView<T>, _ b: MatrixView<T>, beta: T = 0,
    into c: MutableMatrixView<T>
) throws(BLASError) {
    let m = transposeA.transposes ? a.columns : a.rows
    let k = transposeA.transposes ? a.rows : a.columns
    let kb = transposeB.transposes ? b.columns : b.rows
    let n = transposeB.transposes ? b.rows : b.columns
    guard k == kb else { throw .notAligned("gemm", (m, k), (kb, n)) }
    guard c.rows == m, c.columns == n else {
        throw .outputShape("gemm", expected: (m, n), got: (c.rows, c.columns))
    }
    try _gemmChecked(transposeA, transposeB, m, n, k, alpha, a, b, beta, c, routine: "gemm")
}

/// numpy's `matmul` for 2-D operands: `C = A·B`, into an existing output.
///
/// Shape errors use numpy's wording, e.g. `matmul: Input operand 1 has a mismatch in its
/// core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 3 is different
/// from 4)`. Batching, broadcasting and 1-D promotion are the caller's business (call this
/// once per 2-D slice; views make slices free). Everything else is as in
/// ``gemm(transposeA:transposeB:alpha:_:_:beta:into:)``.
///
/// The corresponding C functions are `cblas_sgemm` and `cblas_dgemm`.
@inlinable
public func matmul<T: BLASElement>(
    _ a: MatrixView<T>, _ b: MatrixView<T>, into c: MutableMatrixView<T>
) throws(BLASError) {
    guard a.columns == b.rows else {
        throw .matmulCore(operand: "Input operand 1", dimension: 0, size: b.rows, expected: a.columns)
    }
    guard c.rows == a.rows else {
        throw .matmulCore(operand: "Output operand 0", dimension: 0, size: c.rows, expected: a.rows)
    }
    guard c.columns == b.columns else {
        throw .matmulCore(operand: "Output operand 0", dimension: 1, size: c.columns, expected: b.columns)
    }
    try _gemmChecked(.none, .none, a.rows, b.columns, a.columns, 1, a, b, 0, c, routine: "matmul")
}

/// gemm once shapes agree: size limits, quick returns, then the direct call or the copy path.
@inlinable
func _gemmChecked<T: BLASElement>(
    _ transA: BLASTranspose, _ transB: BLASTranspose, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: T, _ a: MatrixView<T>, _ b: MatrixView<T>, _ beta: T, _ c: MutableMatrixView<T>,
    routine: StaticString
) throws(BLASError) {
    let limit = Int(Int32.max)
    guard m <= limit else { throw .tooLarge(routine, m) }
    guard n <= limit else { throw .tooLarge(routine, n) }
    guard k <= limit else { throw .tooLarge(routine, k) }
    if m == 0 || n == 0 { return }
    // An empty inner dimension: the product is 0, so C = beta·C. Done here because BLAS
    // quick-return rules around k == 0 vary between implementations.
    if k == 0 { return try _scale(c, by: beta, routine: routine) }
    if let oc = _operand(c.layout), let oa = _operand(a.layout), let ob = _operand(b.layout),
        !a.extent.overlaps(c.view.extent), !b.extent.overlaps(c.view.extent)
    {
        unsafe _gemmCall(
            order: oc.order,
            transA: oa.order == oc.order ? transA : transA.flipped,
            transB: ob.order == oc.order ? transB : transB.flipped,
            m, n, k, alpha,
            // SAFETY: BLAS-compatible layouts have an aligned base, and the operand lies
            // inside its validated extent.
            a.baseAddress.assumingMemoryBound(to: T.self), oa.ld,
            b.baseAddress.assumingMemoryBound(to: T.self), ob.ld,
            beta, c.baseAddress.assumingMemoryBound(to: T.self), oc.ld)
        return
    }
    try _gemmCopying(transA, transB, m, n, k, alpha, a, b, beta, c, routine: routine)
}

/// The CBLAS call itself, bracketed by the thread policy when the product is large enough
/// for OpenBLAS to use several threads.
@inlinable
func _gemmCall<T: BLASElement>(
    order: BLASOrder, transA: BLASTranspose, transB: BLASTranspose,
    _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
    _ a: UnsafePointer<T>, _ lda: Int32, _ b: UnsafePointer<T>, _ ldb: Int32,
    _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int32
) {
    // SAFETY of the truncations: m, n, k were checked against Int32.max.
    func call() {
        unsafe T.uncheckedGEMM(
            order, transA, transB, Int32(truncatingIfNeeded: m), Int32(truncatingIfNeeded: n),
            Int32(truncatingIfNeeded: k), alpha, a, lda, b, ldb, beta, c, ldc)
    }
    if _productExceeds(m, n, k, BLASThreadPolicy.multithreadingThreshold) {
        // A complex multiply-add costs four real ones.
        let weight = MemoryLayout<T>.size == MemoryLayout<T.RealPart>.size ? 1 : 4
        BLASThreadPolicy.shared.runProduct(shareable: BLASThreadPolicy.sharesCores(m: m, n: n, k: k &* weight), call)
    } else {
        call()
    }
}

/// The slow path: copies what CBLAS cannot use in place, then makes the same single call.
@inlinable @inline(never)
func _gemmCopying<T: BLASElement>(
    _ transA: BLASTranspose, _ transB: BLASTranspose, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: T, _ a: MatrixView<T>, _ b: MatrixView<T>, _ beta: T, _ c: MutableMatrixView<T>,
    routine: StaticString
) throws(BLASError) {
    // Output first: a self-overlapping C is an error, and nothing should be allocated for it.
    let oc = _operand(c.layout)
    if oc == nil, !_hasDistinctElements(c.view) { throw .overlappingOutput(routine) }

    var scratchA: _Scratch<T>? = nil
    var scratchB: _Scratch<T>? = nil
    var scratchC: _Scratch<T>? = nil
    defer {
        scratchA?.free()
        scratchB?.free()
        scratchC?.free()
    }
    func input(_ x: MatrixView<T>, _ scratch: inout _Scratch<T>?) throws(BLASError)
        -> (UnsafePointer<T>, BLASOrder, Int32)
    {
        if let o = _operand(x.layout), !x.extent.overlaps(c.view.extent) {
            // SAFETY: compatible layout ⇒ aligned base inside the validated extent.
            return unsafe (x.baseAddress.assumingMemoryBound(to: T.self), o.order, o.ld)
        }
        let s = try _Scratch<T>(count: x.count, routine: routine)
        scratch = s
        unsafe _gather(x, into: s.pointer)
        // SAFETY: columns ≤ Int32.max was checked by the caller.
        return unsafe (UnsafePointer(s.pointer), .rowMajor, Int32(truncatingIfNeeded: max(1, x.columns)))
    }
    let (pa, orderA, lda) = unsafe try input(a, &scratchA)
    let (pb, orderB, ldb) = unsafe try input(b, &scratchB)

    let pc: UnsafeMutablePointer<T>
    let orderC: BLASOrder
    let ldc: Int32
    if let oc {
        // SAFETY: compatible layout ⇒ aligned base inside the validated extent.
        unsafe pc = unsafe c.baseAddress.assumingMemoryBound(to: T.self)
        (orderC, ldc) = oc
    } else {
        let s = try _Scratch<T>(count: m * n, routine: routine)
        scratchC = s
        if beta == 0 {
            unsafe s.pointer.initialize(repeating: 0, count: m * n)
        } else {
            unsafe _gather(c.view, into: s.pointer)
        }
        unsafe (pc, orderC, ldc) = unsafe (s.pointer, .rowMajor, Int32(truncatingIfNeeded: max(1, n)))
    }
    unsafe _gemmCall(
        order: orderC,
        transA: orderA == orderC ? transA : transA.flipped,
        transB: orderB == orderC ? transB : transB.flipped,
        m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc)
    if let s = scratchC { unsafe _scatter(UnsafePointer(s.pointer), into: c) }
}

/// Whether `m·n·k > limit`, without overflow (each factor is at most Int32.max).
@inlinable
func _productExceeds(_ m: Int, _ n: Int, _ k: Int, _ limit: Int) -> Bool {
    let mn = m &* n  // < 2⁶², cannot wrap
    return k > 0 && mn > limit / k
}

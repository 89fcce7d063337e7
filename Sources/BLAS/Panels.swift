/// ``gemm(transposeA:transposeB:alpha:_:_:beta:into:)`` in blocks of C, with a callback
/// between blocks: how a long product stays interruptible (Ctrl-C) and lets the thread
/// budget hand cores to another caller.
///
/// A product of at most `panelFlops` floating-point operations is one call. A larger one
/// is cut into blocks of C (rows of op(A) × columns of op(B)), halving the longer side
/// until a block is within `panelFlops` or both sides are down to ``minimumPanelSide``;
/// each block is an independent gemm with the full inner dimension, so the result is the
/// same as one call's up to rounding (OpenBLAS may order the sums differently). Each block
/// repacks its part of A and B, the cost that keeps blocks large (a 1024-wide block
/// adds ~1/1000 of the work in copies). When A or B shares memory with C, blocks could
/// read what earlier blocks wrote, so the product runs as one call.
///
/// - Parameter between: called after each block but the last; returning false stops the
///   product (C is then partly computed).
/// - Returns: false when `between` stopped the product.
@inlinable
public func gemm<T: BLASElement>(
    transposeA: BLASTranspose = .none, transposeB: BLASTranspose = .none,
    alpha: T = 1, _ a: MatrixView<T>, _ b: MatrixView<T>, beta: T = 0,
    into c: MutableMatrixView<T>, panelFlops: Int, between: () -> Bool
) throws(BLASError) -> Bool {
    let m = transposeA.transposes ? a.columns : a.rows
    let k = transposeA.transposes ? a.rows : a.columns
    let n = transposeB.transposes ? b.rows : b.columns
    let (rowBlock, columnBlock) = panelShape(m: m, n: n, k: k, panelFlops: panelFlops)
    if (rowBlock >= m && columnBlock >= n) || a.extent.overlaps(c.view.extent) || b.extent.overlaps(c.view.extent) {
        try gemm(transposeA: transposeA, transposeB: transposeB, alpha: alpha, a, b, beta: beta, into: c)
        return true
    }
    // Shapes are checked by the first block's gemm; check here so slicing stays in range.
    let kb = transposeB.transposes ? b.columns : b.rows
    guard k == kb else { throw .notAligned("gemm", (m, k), (kb, n)) }
    guard c.rows == m, c.columns == n else { throw .outputShape("gemm", expected: (m, n), got: (c.rows, c.columns)) }
    var i = 0
    while i < m {
        let rows = i..<min(m, i + rowBlock)
        var j = 0
        while j < n {
            let columns = j..<min(n, j + columnBlock)
            let blockA = transposeA.transposes ? a._slice(rows: 0..<a.rows, columns: rows) : a._slice(rows: rows, columns: 0..<a.columns)
            let blockB = transposeB.transposes ? b._slice(rows: columns, columns: 0..<b.columns) : b._slice(rows: 0..<b.rows, columns: columns)
            let blockC = MutableMatrixView(view: c.view._slice(rows: rows, columns: columns))
            try gemm(transposeA: transposeA, transposeB: transposeB, alpha: alpha, blockA, blockB, beta: beta, into: blockC)
            j = columns.upperBound
            if i + rowBlock < m || j < n, !between() { return false }
        }
        i = rows.upperBound
    }
    return true
}

/// Blocks of C below which a product is not split further (keeps repacking cheap).
public let minimumPanelSide = 512

/// The block of C a panelled product uses: `(m, n)` when `2·m·n·k ≤ panelFlops`.
@inlinable
public func panelShape(m: Int, n: Int, k: Int, panelFlops: Int) -> (rows: Int, columns: Int) {
    var rows = m, columns = n
    while flops(m: rows, n: columns, k: k) > panelFlops && (rows > minimumPanelSide || columns > minimumPanelSide) {
        if rows >= columns { rows = (rows + 1) / 2 } else { columns = (columns + 1) / 2 }
    }
    return (rows, columns)
}

extension MatrixView {
    /// The sub-matrix `rows × columns` of this view (ranges already checked by the caller):
    /// same strides and layout class, so BLAS uses it in place exactly when it uses the
    /// whole. The extent stays the whole view's (conservative for overlap checks).
    @inlinable
    func _slice(rows: Range<Int>, columns: Range<Int>) -> MatrixView {
        let offset = (rows.lowerBound &* rowStride &+ columns.lowerBound &* columnStride) &* MemoryLayout<Element>.size
        let layout: MatrixLayout
        switch self.layout {
        case .rowMajor(let ld): layout = .rowMajor(leadingDimension: ld)
        case .columnMajor(let ld): layout = .columnMajor(leadingDimension: ld)
        case .strided: layout = .strided
        }
        // SAFETY: the ranges lie inside the validated view, so the new base does too.
        return unsafe MatrixView(base: baseAddress + offset, rows: rows.count, columns: columns.count,
                          rowStride: rowStride, columnStride: columnStride, layout: layout, extent: extent)
    }
}

import BLAS
import SwiftPy

/// `matmul` when an operand has more than 2 dimensions: numpy's rules for stacks.
///
/// Operands are `(..., m, k)` and `(..., k, n)` stacks whose batch dimensions broadcast
/// against each other; a 1-D operand is promoted to a matrix (a row on the left, a column
/// on the right) and the promoted dimension removed from the result, as in numpy. The
/// result is C-ordered with shape `batch + (m,) + (n,)`, or `out`.
///
/// The batch runs with the GIL released. Products small enough that OpenBLAS runs each on
/// one thread (`m·n·k ≤` ``BLASThreadPolicy/multithreadingThreshold``) are spread over
/// the thread budget's cores in chunks; larger ones run one after another, each using
/// OpenBLAS's threads. Ctrl-C stops the batch between chunks.
func matmulStacks(_ py: Python, _ aObject: PyBorrowedRef, _ bObject: PyBorrowedRef, _ outObject: PyBorrowedRef?) throws -> PyObjectRef {
    var a = try StackArgument.matmulOperand(aObject, py, index: 0)
    var b = try StackArgument.matmulOperand(bObject, py, index: 1)
    for (index, operand) in [a, b].enumerated() where operand.ndim == 0 {
        throw PyException.valueError("matmul: Input operand \(index) does not have enough dimensions (has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) requires 1)")
    }
    let dtype = DType.promoted(a.dtype, b.dtype)
    if a.dtype != dtype { a = try a.converted(to: dtype) }
    if b.dtype != dtype { b = try b.converted(to: dtype) }

    // Core dimensions, with numpy's 1-D promotion.
    let aVector = a.ndim == 1, bVector = b.ndim == 1
    let (m, k) = aVector ? (1, a.shape[0]) : (a.shape[a.ndim - 2], a.shape[a.ndim - 1])
    let (kb, n) = bVector ? (b.shape[0], 1) : (b.shape[b.ndim - 2], b.shape[b.ndim - 1])
    guard kb == k else {
        throw PyException.valueError(
            "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                + "(n?,k),(k,m?)->(n?,m?) (size \(kb) is different from \(k))")
    }
    let aCore = aVector ? (0, a.strides[0]) : (a.strides[a.ndim - 2], a.strides[a.ndim - 1])
    let bCore = bVector ? (b.strides[0], 0) : (b.strides[b.ndim - 2], b.strides[b.ndim - 1])

    // Broadcast the batch dimensions (aligned on the right; extent 1 repeats with stride 0).
    let aBatch = aVector ? 0 : a.ndim - 2, bBatch = bVector ? 0 : b.ndim - 2
    let batchRank = max(aBatch, bBatch)
    var batchShape = [Int](repeating: 1, count: batchRank)
    var aStrides = [Int](repeating: 0, count: batchRank), bStrides = aStrides
    for d in 0..<batchRank {
        let da = d - (batchRank - aBatch), db = d - (batchRank - bBatch)
        let ea = da >= 0 ? a.shape[da] : 1, eb = db >= 0 ? b.shape[db] : 1
        guard ea == eb || ea == 1 || eb == 1 else {
            throw PyException.valueError(
                "matmul: operands could not be broadcast together with batch shapes "
                    + "\(batchDescription(a.shape.prefix(aBatch))) and \(batchDescription(b.shape.prefix(bBatch)))")
        }
        batchShape[d] = ea == 1 ? eb : ea
        if ea != 1 { aStrides[d] = a.strides[da] }
        if eb != 1 { bStrides[d] = b.strides[db] }
    }
    let resultShape = batchShape + (aVector ? [] : [m]) + (bVector ? [] : [n])

    // The output: `out` (validated like numpy's), or a new C-ordered array. An `out` of
    // another dtype gets the result through a temporary, cast as numpy casts it.
    var out: StackArgument
    let resultObject: PyObjectRef
    var castTarget: StackArgument? = nil
    if let outObject {
        out = try stackOutput(outObject, py, dtype: dtype, shape: resultShape, a, b)
        resultObject = PyObjectRef(outObject)
        if out.dtype != dtype {
            castTarget = out
            out = try StackArgument.allocate(dtype, shape: resultShape, zeroed: false).0
        }
    } else {
        // Not zeroed: each product writes its whole item with beta = 0 (BatchedProduct.run),
        // so the page faults of a fresh 32 MB result are taken by the detached workers, in
        // parallel, and its bytes are written once instead of twice.
        let (array, buffer) = try StackArgument.allocate(dtype, shape: resultShape, zeroed: false)
        out = array
        resultObject = try py.blasResult(buffer)
    }
    var outCore = (0, 0)
    if !aVector { outCore.0 = out.strides[batchRank] }
    if !bVector { outCore.1 = out.strides[out.ndim - 1] }

    let product = unsafe BatchedProduct(
        a: a.address ?? emptyPlaceholder, b: b.address ?? emptyPlaceholder, out: out.address ?? emptyPlaceholder,
        batchShape: batchShape, aBatchStrides: aStrides, bBatchStrides: bStrides,
        outBatchStrides: Array(out.strides.prefix(batchRank)), m: m, k: k, n: n,
        aCore: aCore, bCore: bCore, outCore: outCore)
    let count = product.count
    guard count > 0, m > 0, n > 0 else { return resultObject }

    let itemFlops = flops(m: m, n: n, k: max(k, 1))
    let (total, overflow) = itemFlops.multipliedReportingOverflow(by: count)
    let totalFlops = overflow ? Int.max : total
    try withExtendedLifetime((a.owner, b.owner, out.owner)) {
        try py.detachBLASInterruptibly(if: GILPolicy.shouldRelease(flops: totalFlops)) { interruption in
            try runBatch(product, dtype: dtype, itemFlops: itemFlops, totalFlops: totalFlops, &interruption)
        }
    }
    // Only a finished product reaches the caller's `out=` (the temporary is unzeroed: an
    // interrupted batch must not copy uninitialised items into user memory).
    if let castTarget { withExtendedLifetime(out.owner) { out.copy(into: castTarget) } }
    return resultObject
}

/// How a batch is split: products OpenBLAS would run on one thread are spread over the
/// cores the thread budget grants, in chunks of at least ``parallelChunkFlops`` (so a
/// chunk is worth a thread hand-off) and at most ``interruptChunkFlops`` (so Ctrl-C is
/// noticed quickly).
enum BatchPolicy {
    /// Below this many flops in all, a batch runs on the calling thread only (~50 µs).
    static let parallelFlops = 2_000_000
    /// Smallest chunk handed to a helper thread.
    static let parallelChunkFlops = 500_000
    /// Largest chunk between two checks for Ctrl-C (~5-10 ms on one core).
    static let interruptChunkFlops = 200_000_000
}

private func runBatch(_ product: BatchedProduct, dtype: DType, itemFlops: Int, totalFlops: Int,
                      _ interruption: inout Interruption) throws {
    let count = product.count
    let small = !BLASThreadPolicy.runsMultithreaded(m: product.m, n: product.n, k: product.k)
    let wanted = small && totalFlops >= BatchPolicy.parallelFlops ? BLASThreads.count : 1
    try BLASThreadPolicy.shared.withCall(threads: wanted) { (budget: BLASThreadBudget) throws in
        let threads = budget.threads
        let perItem = max(itemFlops, 1)
        var chunk = max(1, count / max(1, threads * 32))
        chunk = max(chunk, BatchPolicy.parallelChunkFlops / perItem)
        chunk = max(1, min(chunk, BatchPolicy.interruptChunkFlops / perItem))
        var pending: (any Error)? = nil
        let finished = try forEachChunk(
            count: count, chunkSize: chunk, helpers: threads - 1,
            helpersMayContinue: { budget.helpersMayContinue },
            checkpoint: {
                // Another large call waits for the cores: helpers retire, this one goes on alone.
                budget.yieldIfContended()
                do { try interruption.check() } catch {
                    pending = error
                    return false
                }
                return true
            }
        ) { (range: Range<Int>) throws(BLASError) in
            switch dtype {
            case .float32: try product.run(Float.self, range)
            case .float64: try product.run(Double.self, range)
            case .complex64: try product.run(Complex<Float>.self, range)
            case .complex128: try product.run(Complex<Double>.self, range)
            }
        }
        if !finished, let pending { throw pending }
    }
}

/// Validates `out` for a stack result: a writable array of the result's dtype and shape,
/// whose elements are distinct and which shares no memory with an input.
private func stackOutput(_ object: PyBorrowedRef, _ py: Python, dtype: DType, shape: [Int],
                         _ a: StackArgument, _ b: StackArgument) throws -> StackArgument {
    let (pinned, buffer) = StackArgument.pin(object, py, writable: true)
    guard let buffer else {
        throw PyException.typeError("matmul: out must be a writable float32 or float64 array, not '\(object.typeName)'")
    }
    guard let out = pinned else {
        throw PyException.typeError("matmul: out has format '\(buffer.format)' with \(buffer.dimensions) dimensions; expected a \(dtype.name) array")
    }
    guard !out.isReadOnly else { throw PyException.valueError("matmul: output array is read-only") }
    guard dtype.converts(to: out.dtype) else { throw castError(dtype, out.dtype) }
    guard out.shape == shape else {
        let expected = unsafe StackArgument(owner: nil, dtype: dtype, shape: shape, strides: shape.map { _ in 0 }, address: nil, isReadOnly: true)
        throw PyException.valueError("matmul: out has shape \(out.shapeDescription), expected \(expected.shapeDescription)")
    }
    if out.overlaps(a) || out.overlaps(b) {
        throw PyException.valueError("matmul: out shares memory with an input operand")
    }
    // Two batch items writing the same memory (a zero stride over more than one item).
    for (extent, stride) in zip(out.shape, out.strides) where extent > 1 && stride == 0 {
        throw PyException.valueError("matmul: out has elements that share memory")
    }
    return out
}

private func batchDescription(_ shape: ArraySlice<Int>) -> String {
    shape.count == 1 ? "(\(shape.first!),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// A stand-in address for empty operands (never dereferenced: nothing is computed for them).
private var emptyPlaceholder: UnsafeMutableRawPointer { unsafe UnsafeMutableRawPointer(bitPattern: 64).unsafelyUnwrapped }

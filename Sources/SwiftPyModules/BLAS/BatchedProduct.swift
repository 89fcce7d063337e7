import BLAS

/// A stack of independent matrix products `out[i] = a[i] @ b[i]` described with plain
/// values, for detached code: base addresses, the broadcast batch shape, and each
/// operand's byte strides along the batch and core dimensions (0 where an operand is
/// broadcast, or where a 1-D operand was promoted to a matrix).
///
/// SAFETY: `@unchecked Sendable` because it carries raw addresses across the detach
/// boundary (and to helper threads). It is only used inside
/// `withExtendedLifetime(owners) { py.detach… }`, which keeps the pinned buffers (or the
/// SwiftBuffers of copies) alive and in place until every thread has finished.
@safe struct BatchedProduct: @unchecked Sendable {
    let a: UnsafeMutableRawPointer
    let b: UnsafeMutableRawPointer
    let out: UnsafeMutableRawPointer
    let batchShape: [Int]
    let aBatchStrides: [Int]
    let bBatchStrides: [Int]
    let outBatchStrides: [Int]
    let m: Int, k: Int, n: Int
    /// (row, column) byte strides of one matrix of each operand.
    let aCore: (Int, Int)
    let bCore: (Int, Int)
    let outCore: (Int, Int)

    var count: Int { batchShape.reduce(1) { $0 &* $1 } }

    /// Computes the products with flat batch indices in `range`.
    ///
    /// The output may be uninitialised memory (a fresh result is not zeroed first): every
    /// item is written with beta = 0, which BLAS defines as "C need not be set on input"
    /// (OpenBLAS stores zeros, never 0·C), and a `k == 0` product takes `_scale`, which
    /// also stores 0 for beta = 0 rather than multiplying a NaN bit pattern.
    func run<T: BLASElement>(_: T.Type, _ range: Range<Int>) throws(BLASError) {
        for item in range {
            var rest = item, offA = 0, offB = 0, offOut = 0
            for d in stride(from: batchShape.count - 1, through: 0, by: -1) {
                let extent = batchShape[d]
                let index = rest % extent
                rest /= extent
                offA &+= index &* aBatchStrides[d]
                offB &+= index &* bBatchStrides[d]
                offOut &+= index &* outBatchStrides[d]
            }
            let av = unsafe try MatrixView<T>(bytes: UnsafeRawPointer(a + offA), rows: m, columns: k,
                                       rowByteStride: aCore.0, columnByteStride: aCore.1)
            let bv = unsafe try MatrixView<T>(bytes: UnsafeRawPointer(b + offB), rows: k, columns: n,
                                       rowByteStride: bCore.0, columnByteStride: bCore.1)
            let cv = unsafe try MutableMatrixView<T>(bytes: out + offOut, rows: m, columns: n,
                                              rowByteStride: outCore.0, columnByteStride: outCore.1)
            try BLAS.matmul(av, bv, into: cv)
        }
    }
}

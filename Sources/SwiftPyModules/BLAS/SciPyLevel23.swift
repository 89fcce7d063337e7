import BLAS
import SwiftPy

// scipy.linalg.blas-compatible gemm and gemv (the s and d variants).
//
// Same signatures, defaults and results as scipy: inputs of another dtype, order or
// layout are converted (copied); a new result is a `swiftpy.blas.Buffer` (Fortran order,
// like scipy's), which `numpy.asarray` wraps without a copy; `c`/`y` are updated in
// place and returned when `overwrite_c`/`overwrite_y` is set and they are contiguous
// (Fortran order for `c`), writable arrays of the routine's dtype — exactly when scipy
// does so.

/// `?gemm(alpha, a, b, beta=0.0, c=None, trans_a=0, trans_b=0, overwrite_c=0)`:
/// `alpha·op(a)·op(b) + beta·c`.
func scipyGEMM<T: DTypeElement>(
    _ py: Python, _: T.Type, _ dtype: DType, _ name: String,
    alpha: (Double, Double), a aObject: PyBorrowedRef, b bObject: PyBorrowedRef, beta: (Double, Double),
    c cObject: PyBorrowedRef?, transA: Int, transB: Int, overwriteC: Int
) throws -> PyObjectRef {
    guard (0...2).contains(transA) else { throw PyException.valueError("\(name): trans_a must be 0, 1 or 2, got \(transA)") }
    guard (0...2).contains(transB) else { throw PyException.valueError("\(name): trans_b must be 0, 1 or 2, got \(transB)") }
    let a = try ArrayArgument.convert(aObject, py, to: dtype, name: name)
    let b = try ArrayArgument.convert(bObject, py, to: dtype, name: name)
    guard a.ndim == 2 else { throw PyException.valueError("\(name): a must be a 2-D array, got shape \(a.shapeDescription)") }
    guard b.ndim == 2 else { throw PyException.valueError("\(name): b must be a 2-D array, got shape \(b.shapeDescription)") }
    let (m, k) = transA == 0 ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kb, n) = transB == 0 ? (b.rows, b.columns) : (b.columns, b.rows)
    guard k == kb else {
        throw PyException.valueError("\(name): shapes (\(m), \(k)) and (\(kb), \(n)) not aligned: \(k) (dim 1) != \(kb) (dim 0)")
    }

    // The output: c itself (overwrite_c, as scipy), or a new Fortran-ordered array.
    var result: ArrayArgument
    let resultObject: PyObjectRef
    var source: ArrayArgument? = nil  // c to copy into a new result before the product
    if let cObject {
        let c = try ArrayArgument.convert(cObject, py, to: dtype, name: name, writable: overwriteC != 0)
        guard c.ndim == 2, c.rows == m, c.columns == n else {
            throw PyException.valueError("\(name): c has shape \(c.shapeDescription), expected (\(m), \(n))")
        }
        if overwriteC != 0, c.isCallersMemory, !c.isReadOnly, c.isFortranContiguous {
            result = c
            resultObject = PyObjectRef(cObject)
        } else {
            let (array, buffer) = try ArrayArgument.allocate(dtype, rows: m, columns: n, order: .fortran)
            result = array
            resultObject = try py.blasResult(buffer)
            if beta != (0, 0) { source = c }
        }
    } else {
        let (array, buffer) = try ArrayArgument.allocate(dtype, rows: m, columns: n, order: .fortran)
        result = array
        resultObject = try py.blasResult(buffer)
    }
    // Without c there is nothing to scale (scipy's c defaults to zeros).
    let effectiveBeta = cObject == nil ? (0, 0) : beta
    let (pa, pb, pc) = (a.pinned, b.pinned, result.pinned)
    let pSource = source?.pinned
    let (ta, tb) = (transposeFlag(transA), transposeFlag(transB))
    let productFlops = flops(m: m, n: n, k: k)
    try ArrayArgument.keepingAlive(a, b, result, source) {
        guard productFlops > PanelPolicy.panelFlops(dtype) else {
            try py.detachBLAS(if: GILPolicy.shouldRelease(flops: productFlops)) { () throws(BLASError) in
                let c = try pc.mutableMatrix(T.self)
                if let pSource { try copy(pSource.matrix(T.self), into: c) }
                try gemm(transposeA: ta, transposeB: tb, alpha: T(alpha), pa.matrix(T.self), pb.matrix(T.self),
                         beta: T(effectiveBeta), into: c)
            }
            return
        }
        // Long: in blocks, polling for Ctrl-C between them.
        try py.detachBLASInterruptibly(if: true) { interruption in
            let c = try pc.mutableMatrix(T.self)
            if let pSource { try copy(pSource.matrix(T.self), into: c) }
            var pending: (any Error)? = nil
            let finished = try gemm(transposeA: ta, transposeB: tb, alpha: T(alpha), pa.matrix(T.self), pb.matrix(T.self),
                                    beta: T(effectiveBeta), into: c, panelFlops: PanelPolicy.panelFlops(dtype)) {
                do { try interruption.check() } catch {
                    pending = error
                    return false
                }
                return true
            }
            if !finished, let pending { throw pending }
        }
    }
    return resultObject
}

/// `?gemv(alpha, a, x, beta=0.0, y=None, offx=0, incx=1, offy=0, incy=1, trans=0,
/// overwrite_y=0)`: `alpha·op(a)·x + beta·y` on strided slices of x and y.
func scipyGEMV<T: DTypeElement>(
    _ py: Python, _: T.Type, _ dtype: DType, _ name: String,
    alpha: (Double, Double), a aObject: PyBorrowedRef, x xObject: PyBorrowedRef, beta: (Double, Double), y yObject: PyBorrowedRef?,
    offx: Int, incx: Int, offy: Int, incy: Int, trans: Int, overwriteY: Int
) throws -> PyObjectRef {
    guard (0...2).contains(trans) else { throw PyException.valueError("\(name): trans must be 0, 1 or 2, got \(trans)") }
    let a = try ArrayArgument.convert(aObject, py, to: dtype, name: name)
    guard a.ndim == 2 else { throw PyException.valueError("\(name): a must be a 2-D array, got shape \(a.shapeDescription)") }
    let (rows, columns) = trans == 0 ? (a.rows, a.columns) : (a.columns, a.rows)
    let x = try ArrayArgument.convert(xObject, py, to: dtype, name: name)
    let xSlice = try vectorSlice(x, name: name, argument: "x", count: columns, offset: offx, increment: incx)

    var result: ArrayArgument
    let resultObject: PyObjectRef
    var effectiveBeta = beta
    var source: ArrayArgument? = nil
    if let yObject {
        let y = try ArrayArgument.convert(yObject, py, to: dtype, name: name, writable: overwriteY != 0)
        _ = try vectorSlice(y, name: name, argument: "y", count: rows, offset: offy, increment: incy)
        if overwriteY != 0, y.isCallersMemory, !y.isReadOnly, y.isCContiguous {
            result = y
            resultObject = PyObjectRef(yObject)
        } else {
            let (array, buffer) = try ArrayArgument.allocate(dtype, rows: y.count, columns: nil)
            result = array
            resultObject = try py.blasResult(buffer)
            source = y
        }
    } else {
        // scipy's default y: zeros, just long enough for the slice.
        let length = try sliceLength(count: rows, offset: offy, increment: incy, name: name)
        let (array, buffer) = try ArrayArgument.allocate(dtype, rows: length, columns: nil)
        result = array
        resultObject = try py.blasResult(buffer)
        effectiveBeta = (0, 0)
        _ = try vectorSlice(result, name: name, argument: "y", count: rows, offset: offy, increment: incy)
    }
    let ySlice = validatedSlice(result.pinned, offset: offy, increment: incy, count: rows)
    let (pa, pResult, pSource, betaValue) = (a.pinned, result.pinned, source?.pinned, effectiveBeta)
    let t = transposeFlag(trans)
    let release = GILPolicy.shouldRelease(flops: flops(m: rows, n: columns))
    try ArrayArgument.keepingAlive(a, x, result, source) {
        try py.detachBLAS(if: release) { () throws(BLASError) in
            if let pSource { try copy(pSource.vector(T.self), into: pResult.mutableVector(T.self)) }
            try gemv(transpose: t, alpha: T(alpha), pa.matrix(T.self), xSlice.vector(T.self),
                     beta: T(betaValue), into: ySlice.mutableVector(T.self))
        }
    }
    return resultObject
}

/// Checks that `count` elements from `offset` every `increment` fit in the 1-D array, as
/// scipy does (`offx >= 0 && offx < len(x)`, `len(x) > offx + (n-1)·|incx|`), and
/// returns the slice.
func vectorSlice(_ array: ArrayArgument, name: String, argument: String, count: Int, offset: Int, increment: Int) throws -> PinnedArray {
    guard array.ndim == 1 else {
        throw PyException.valueError("\(name): \(argument) must be a 1-D array, got shape \(array.shapeDescription)")
    }
    guard increment != 0 else { throw PyException.valueError("\(name): inc\(argument) must not be 0") }
    let length = array.count
    guard offset >= 0, offset < length else {
        throw PyException.valueError("\(name): off\(argument) must satisfy 0 <= off\(argument) < len(\(argument)), got off\(argument)=\(offset) with len(\(argument))=\(length)")
    }
    if count > 1 {
        // |Int.min| does not fit in an Int; such a step cannot fit in any array either.
        let step = Int(exactly: increment.magnitude) ?? Int.max
        let (span, overflow) = (count - 1).multipliedReportingOverflow(by: step)
        guard !overflow, span < length - offset else {
            throw PyException.valueError("\(name): \(argument) is too short: \(count) elements from offset \(offset) every \(increment.magnitude) need len(\(argument)) > \(offset) + (\(count) - 1) * \(increment.magnitude), got \(length)")
        }
    }
    return validatedSlice(array.pinned, offset: offset, increment: increment, count: max(count, 0))
}

/// `array.slice(...)` for a slice `vectorSlice` has checked. With fewer than two elements
/// the increment is never used and was not checked (scipy accepts any `incx` then), so it
/// is replaced by 1: a huge one would overflow the byte stride computed from it.
func validatedSlice(_ array: PinnedArray, offset: Int, increment: Int, count: Int) -> PinnedArray {
    array.slice(offset: offset, increment: count > 1 ? increment : 1, count: count)
}

/// `offset + (count - 1)·|increment| + 1`, the length of scipy's default output vector.
func sliceLength(count: Int, offset: Int, increment: Int, name: String) throws -> Int {
    guard count > 0 else { return 0 }
    guard offset >= 0, increment != 0 else { throw PyException.valueError("\(name): invalid offy/incy (\(offset), \(increment))") }
    let (span, o1) = (count - 1).multipliedReportingOverflow(by: Int(exactly: increment.magnitude) ?? Int.max)
    let (end, o2) = span.addingReportingOverflow(offset)
    guard !o1, !o2, end < Int.max else { throw PyException.memoryError() }
    return end + 1
}

/// scipy's `trans` codes: 0 as stored, 1 transposed, 2 conjugate-transposed (the same as 1
/// for the real routines).
func transposeFlag(_ code: Int) -> BLASTranspose {
    switch code {
    case 0: .none
    case 1: .transpose
    default: .conjugateTranspose
    }
}

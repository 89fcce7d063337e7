import BLAS
import SwiftPy

// scipy.linalg.blas-compatible level-1 routines (the s and d variants), with scipy's
// signatures `(x, [y,] n=None, offx=0, incx=1, ...)`: `n` defaults to
// `(len(x) - offx) // |incx|`, a negative increment walks the slice backwards as in BLAS.

/// The number of elements a level-1 call uses: `n`, or scipy's default.
private func elementCount(_ n: Int?, length: Int, offset: Int, increment: Int) -> Int {
    if let n { return max(n, 0) }
    guard increment != 0, offset >= 0, offset < length else { return 0 }
    // |Int.min| does not fit in an Int: any step that large leaves room for no element.
    guard let step = Int(exactly: increment.magnitude) else { return 0 }
    return (length - offset) / step
}

/// `?dot(x, y, n=None, offx=0, incx=1, offy=0, incy=1)` → float.
func scipyDot<T: DTypeElement>(
    _ py: Python, _: T.Type, _ dtype: DType, _ name: String, x xObject: PyBorrowedRef, y yObject: PyBorrowedRef,
    n: Int?, offx: Int, incx: Int, offy: Int, incy: Int, conjugated: Bool = false
) throws -> PyObjectRef {
    let x = try ArrayArgument.convert(xObject, py, to: dtype, name: name)
    let y = try ArrayArgument.convert(yObject, py, to: dtype, name: name)
    let count = elementCount(n, length: x.count, offset: offx, increment: incx)
    let xs = try vectorSlice(x, name: name, argument: "x", count: count, offset: offx, increment: incx)
    let ys = try vectorSlice(y, name: name, argument: "y", count: count, offset: offy, increment: incy)
    let value = try ArrayArgument.keepingAlive(x, y) {
        try py.detachBLAS(if: GILPolicy.shouldRelease(flops: GILPolicy.vectorFlops(count))) { () throws(BLASError) -> T in
            conjugated ? try dotConjugated(xs.vector(T.self), ys.vector(T.self)) : try dot(xs.vector(T.self), ys.vector(T.self))
        }
    }
    return try py.number(value.pair, complex: dtype.isComplex)
}

/// `?axpy(x, y, n=None, a=1.0, offx=0, incx=1, offy=0, incy=1)` → y after `y += a·x`
/// (y itself when it is a contiguous writable array of the dtype, else a new array).
func scipyAXPY<T: DTypeElement>(
    _ py: Python, _: T.Type, _ dtype: DType, _ name: String, x xObject: PyBorrowedRef, y yObject: PyBorrowedRef,
    n: Int?, a: (Double, Double), offx: Int, incx: Int, offy: Int, incy: Int
) throws -> PyObjectRef {
    let x = try ArrayArgument.convert(xObject, py, to: dtype, name: name)
    let y = try ArrayArgument.convert(yObject, py, to: dtype, name: name, writable: true)
    let count = elementCount(n, length: x.count, offset: offx, increment: incx)
    let xs = try vectorSlice(x, name: name, argument: "x", count: count, offset: offx, increment: incx)
    _ = try vectorSlice(y, name: name, argument: "y", count: count, offset: offy, increment: incy)
    let (result, resultObject, source) = try inPlaceOrCopy(y, yObject, py)
    let ys = validatedSlice(result.pinned, offset: offy, increment: incy, count: count)
    let (pResult, pSource) = (result.pinned, source?.pinned)
    try ArrayArgument.keepingAlive(x, result, source) {
        try py.detachBLAS(if: GILPolicy.shouldRelease(flops: GILPolicy.vectorFlops(count))) { () throws(BLASError) in
            if let pSource { try copy(pSource.vector(T.self), into: pResult.mutableVector(T.self)) }
            try axpy(alpha: T(a), xs.vector(T.self), into: ys.mutableVector(T.self))
        }
    }
    return resultObject
}

/// `?scal(a, x, n=None, offx=0, incx=1)` → x after `x = a·x` (in place when possible).
/// Like scipy (OpenBLAS), a negative increment leaves x unchanged.
func scipyScal<T: DTypeElement>(
    _ py: Python, _: T.Type, _ dtype: DType, _ name: String, a: (Double, Double), x xObject: PyBorrowedRef,
    n: Int?, offx: Int, incx: Int
) throws -> PyObjectRef {
    let x = try ArrayArgument.convert(xObject, py, to: dtype, name: name, writable: true)
    let count = elementCount(n, length: x.count, offset: offx, increment: incx)
    _ = try vectorSlice(x, name: name, argument: "x", count: count, offset: offx, increment: incx)
    let (result, resultObject, source) = try inPlaceOrCopy(x, xObject, py)
    let xs = validatedSlice(result.pinned, offset: offx, increment: incx, count: incx < 0 ? 0 : count)
    let (pResult, pSource) = (result.pinned, source?.pinned)
    try ArrayArgument.keepingAlive(result, source) {
        try py.detachBLAS(if: GILPolicy.shouldRelease(flops: GILPolicy.vectorFlops(count))) { () throws(BLASError) in
            if let pSource { try copy(pSource.vector(T.self), into: pResult.mutableVector(T.self)) }
            try scale(xs.mutableVector(T.self), by: T(a))
        }
    }
    return resultObject
}

/// Which reduction a single-vector routine computes.
enum Reduction: Sendable { case norm2, absoluteSum, indexOfMax }

/// `?nrm2`, `?asum`, `i?amax` `(x, n=None, offx=0, incx=1)`. As in scipy: nrm2 needs
/// incx > 0; asum returns 0.0 and iamax -1 for a negative incx.
func scipyReduce<T: DTypeElement>(
    _ py: Python, _: T.Type, _ dtype: DType, _ name: String, _ reduction: Reduction, x xObject: PyBorrowedRef,
    n: Int?, offx: Int, incx: Int
) throws -> Double {
    if reduction == .norm2, incx <= 0 { throw PyException.valueError("\(name): incx must be positive, got \(incx)") }
    let x = try ArrayArgument.convert(xObject, py, to: dtype, name: name)
    let count = elementCount(n, length: x.count, offset: offx, increment: incx)
    let xs = try vectorSlice(x, name: name, argument: "x", count: count, offset: offx, increment: incx)
    if incx < 0 { return reduction == .indexOfMax ? -1 : 0 }
    return try ArrayArgument.keepingAlive(x) {
        try py.detachBLAS(if: GILPolicy.shouldRelease(flops: GILPolicy.vectorFlops(count))) { () throws(BLASError) -> Double in
            let v = try xs.vector(T.self)
            switch reduction {
            case .norm2: return Double(try euclideanNorm(v))
            case .absoluteSum: return Double(try absoluteSum(v))
            // scipy returns the 0-based index, and -1 (BLAS's 0, minus one) for n = 0.
            case .indexOfMax: return Double(try indexOfMaxMagnitude(v) ?? -1)
            }
        }
    }
}

/// The output of an in-place routine: the caller's array when it is a writable,
/// C-contiguous array of the routine's dtype (what scipy updates in place), else a new
/// array that the routine first fills with a copy of `array` (`source`).
private func inPlaceOrCopy(_ array: ArrayArgument, _ object: PyBorrowedRef, _ py: Python) throws -> (ArrayArgument, PyObjectRef, ArrayArgument?) {
    if array.isCallersMemory, !array.isReadOnly, array.isCContiguous {
        return (array, PyObjectRef(object), nil)
    }
    if !array.isCallersMemory, let buffer = array.owner as? SwiftBuffer {
        // Already a private converted copy: use it as the result.
        return (array, try py.blasResult(buffer), nil)
    }
    let (result, buffer) = try ArrayArgument.allocate(array.dtype, rows: array.count, columns: nil)
    return (result, try py.blasResult(buffer), array)
}

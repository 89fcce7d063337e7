import COpenBLAS

// The `c` and `z` CBLAS routines, provided by the real types for ``Complex`` (which
// forwards its ``BLASElement`` requirements here). CBLAS passes complex scalars and
// arrays as `void *`: interleaved (real, imaginary) pairs, the layout of ``Complex``.

extension Double {
    /// The corresponding C function is `cblas_zgemm`.
    @inlinable @inline(__always)
    public static func uncheckedComplexGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: UnsafeRawPointer,
        _ a: UnsafeRawPointer, _ lda: Int32, _ b: UnsafeRawPointer, _ ldb: Int32,
        _ beta: UnsafeRawPointer, _ c: UnsafeMutableRawPointer, _ ldc: Int32
    ) {
        unsafe cblas_zgemm(order.cblas, transA.cblas, transB.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// The corresponding C function is `cblas_zgemv`.
    @inlinable @inline(__always)
    public static func uncheckedComplexGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: UnsafeRawPointer,
        _ a: UnsafeRawPointer, _ lda: Int32, _ x: UnsafeRawPointer, _ incx: Int32,
        _ beta: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, _ incy: Int32
    ) {
        unsafe cblas_zgemv(order.cblas, trans.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    /// The corresponding C functions are `cblas_zdotu_sub` and `cblas_zdotc_sub`.
    @inlinable @inline(__always)
    public static func uncheckedComplexDot(
        conjugated: Bool, _ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32, _ y: UnsafeRawPointer,
        _ incy: Int32, _ result: UnsafeMutableRawPointer
    ) {
        if conjugated {
            unsafe cblas_zdotc_sub(n, x, incx, y, incy, result)
        } else {
            unsafe cblas_zdotu_sub(n, x, incx, y, incy, result)
        }
    }

    /// The corresponding C function is `cblas_zaxpy`.
    @inlinable @inline(__always)
    public static func uncheckedComplexAXPY(
        _ n: Int32, _ alpha: UnsafeRawPointer, _ x: UnsafeRawPointer, _ incx: Int32,
        _ y: UnsafeMutableRawPointer, _ incy: Int32
    ) {
        unsafe cblas_zaxpy(n, alpha, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_zscal`.
    @inlinable @inline(__always)
    public static func uncheckedComplexScale(_ n: Int32, _ alpha: UnsafeRawPointer, _ x: UnsafeMutableRawPointer, _ incx: Int32) {
        unsafe cblas_zscal(n, alpha, x, incx)
    }

    /// The corresponding C function is `cblas_dznrm2`.
    @inlinable @inline(__always)
    public static func uncheckedComplexNorm2(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Double {
        unsafe cblas_dznrm2(n, x, incx)
    }

    /// The corresponding C function is `cblas_dzasum`.
    @inlinable @inline(__always)
    public static func uncheckedComplexAbsoluteSum(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Double {
        unsafe cblas_dzasum(n, x, incx)
    }

    /// The corresponding C function is `cblas_izamax` (its result is already 0-based).
    @inlinable @inline(__always)
    public static func uncheckedComplexIndexOfMaxMagnitude(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Int {
        unsafe Int(truncatingIfNeeded: cblas_izamax(n, x, incx))
    }
}

extension Float {
    /// The corresponding C function is `cblas_cgemm`.
    @inlinable @inline(__always)
    public static func uncheckedComplexGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: UnsafeRawPointer,
        _ a: UnsafeRawPointer, _ lda: Int32, _ b: UnsafeRawPointer, _ ldb: Int32,
        _ beta: UnsafeRawPointer, _ c: UnsafeMutableRawPointer, _ ldc: Int32
    ) {
        unsafe cblas_cgemm(order.cblas, transA.cblas, transB.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// The corresponding C function is `cblas_cgemv`.
    @inlinable @inline(__always)
    public static func uncheckedComplexGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: UnsafeRawPointer,
        _ a: UnsafeRawPointer, _ lda: Int32, _ x: UnsafeRawPointer, _ incx: Int32,
        _ beta: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, _ incy: Int32
    ) {
        unsafe cblas_cgemv(order.cblas, trans.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    /// The corresponding C functions are `cblas_cdotu_sub` and `cblas_cdotc_sub`.
    @inlinable @inline(__always)
    public static func uncheckedComplexDot(
        conjugated: Bool, _ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32, _ y: UnsafeRawPointer,
        _ incy: Int32, _ result: UnsafeMutableRawPointer
    ) {
        if conjugated {
            unsafe cblas_cdotc_sub(n, x, incx, y, incy, result)
        } else {
            unsafe cblas_cdotu_sub(n, x, incx, y, incy, result)
        }
    }

    /// The corresponding C function is `cblas_caxpy`.
    @inlinable @inline(__always)
    public static func uncheckedComplexAXPY(
        _ n: Int32, _ alpha: UnsafeRawPointer, _ x: UnsafeRawPointer, _ incx: Int32,
        _ y: UnsafeMutableRawPointer, _ incy: Int32
    ) {
        unsafe cblas_caxpy(n, alpha, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_cscal`.
    @inlinable @inline(__always)
    public static func uncheckedComplexScale(_ n: Int32, _ alpha: UnsafeRawPointer, _ x: UnsafeMutableRawPointer, _ incx: Int32) {
        unsafe cblas_cscal(n, alpha, x, incx)
    }

    /// The corresponding C function is `cblas_scnrm2`.
    @inlinable @inline(__always)
    public static func uncheckedComplexNorm2(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Float {
        unsafe cblas_scnrm2(n, x, incx)
    }

    /// The corresponding C function is `cblas_scasum`.
    @inlinable @inline(__always)
    public static func uncheckedComplexAbsoluteSum(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Float {
        unsafe cblas_scasum(n, x, incx)
    }

    /// The corresponding C function is `cblas_icamax` (its result is already 0-based).
    @inlinable @inline(__always)
    public static func uncheckedComplexIndexOfMaxMagnitude(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Int {
        unsafe Int(truncatingIfNeeded: cblas_icamax(n, x, incx))
    }
}

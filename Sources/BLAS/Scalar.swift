import COpenBLAS

/// Storage order of a matrix operand, as CBLAS understands it.
public enum BLASOrder: Sendable, Equatable {
    /// Rows are contiguous: element (i, j) is at `i * ld + j`. `CblasRowMajor`.
    case rowMajor
    /// Columns are contiguous: element (i, j) is at `i + j * ld`. `CblasColMajor`.
    case columnMajor

    @inlinable
    var cblas: CBLAS_ORDER { self == .rowMajor ? CblasRowMajor : CblasColMajor }
}

/// Whether a routine uses an operand as stored or transposed (`op(A)` in BLAS).
public enum BLASTranspose: Sendable, Equatable {
    /// `op(A) = A`. `CblasNoTrans`.
    case none
    /// `op(A) = Aᵀ`. `CblasTrans`.
    case transpose

    @inlinable
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }

    @inlinable
    var flipped: BLASTranspose { self == .none ? .transpose : .none }
}

/// A real element type with CBLAS routines: `Float` (the `s` routines) and `Double` (the
/// `d` routines).
///
/// Generic code such as ``gemm(transposeA:transposeB:alpha:_:_:beta:into:)`` calls these
/// requirements; the routines are `@inlinable`, so in a client module that uses a concrete
/// type the generic code is specialised and each requirement becomes a direct call to
/// `cblas_dgemm` or `cblas_sgemm` — no witness-table dispatch at run time.
///
/// The `unchecked…` requirements are the raw CBLAS calls: they validate nothing (CBLAS
/// prints an error and returns on invalid arguments; out-of-range pointers are undefined
/// behaviour). Prefer the validated routines built on views.
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    /// `C = alpha·op(A)·op(B) + beta·C`. The corresponding C functions are `cblas_sgemm`
    /// and `cblas_dgemm`.
    static func uncheckedGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int32, _ b: UnsafePointer<Self>, _ ldb: Int32,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)

    /// `y = alpha·op(A)·x + beta·y`. The corresponding C functions are `cblas_sgemv` and
    /// `cblas_dgemv`.
    static func uncheckedGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int32, _ x: UnsafePointer<Self>, _ incx: Int32,
        _ beta: Self, _ y: UnsafeMutablePointer<Self>, _ incy: Int32)

    /// `xᵀy`. The corresponding C functions are `cblas_sdot` and `cblas_ddot`.
    static func uncheckedDot(
        _ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32, _ y: UnsafePointer<Self>,
        _ incy: Int32) -> Self

    /// `y += alpha·x`. The corresponding C functions are `cblas_saxpy` and `cblas_daxpy`.
    static func uncheckedAXPY(
        _ n: Int32, _ alpha: Self, _ x: UnsafePointer<Self>, _ incx: Int32,
        _ y: UnsafeMutablePointer<Self>, _ incy: Int32)

    /// `x = alpha·x`. The corresponding C functions are `cblas_sscal` and `cblas_dscal`.
    static func uncheckedScale(_ n: Int32, _ alpha: Self, _ x: UnsafeMutablePointer<Self>, _ incx: Int32)

    /// `‖x‖₂`. The corresponding C functions are `cblas_snrm2` and `cblas_dnrm2`.
    static func uncheckedNorm2(_ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32) -> Self

    /// `Σ|xᵢ|`. The corresponding C functions are `cblas_sasum` and `cblas_dasum`.
    static func uncheckedAbsoluteSum(_ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32) -> Self

    /// 0-based index of the first element of largest magnitude (0 when `n` ≤ 0). The
    /// corresponding C functions are `cblas_isamax` and `cblas_idamax`.
    static func uncheckedIndexOfMaxMagnitude(_ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32) -> Int
}

extension Double: BLASScalar {
    /// The corresponding C function is `cblas_dgemm`.
    @inlinable @inline(__always)
    public static func uncheckedGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int32, _ b: UnsafePointer<Double>, _ ldb: Int32,
        _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int32
    ) {
        cblas_dgemm(
            order.cblas, transA.cblas, transB.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// The corresponding C function is `cblas_dgemv`.
    @inlinable @inline(__always)
    public static func uncheckedGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int32, _ x: UnsafePointer<Double>, _ incx: Int32,
        _ beta: Double, _ y: UnsafeMutablePointer<Double>, _ incy: Int32
    ) {
        cblas_dgemv(order.cblas, trans.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    /// The corresponding C function is `cblas_ddot`.
    @inlinable @inline(__always)
    public static func uncheckedDot(
        _ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32, _ y: UnsafePointer<Double>,
        _ incy: Int32
    ) -> Double {
        cblas_ddot(n, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_daxpy`.
    @inlinable @inline(__always)
    public static func uncheckedAXPY(
        _ n: Int32, _ alpha: Double, _ x: UnsafePointer<Double>, _ incx: Int32,
        _ y: UnsafeMutablePointer<Double>, _ incy: Int32
    ) {
        cblas_daxpy(n, alpha, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_dscal`.
    @inlinable @inline(__always)
    public static func uncheckedScale(
        _ n: Int32, _ alpha: Double, _ x: UnsafeMutablePointer<Double>, _ incx: Int32
    ) {
        cblas_dscal(n, alpha, x, incx)
    }

    /// The corresponding C function is `cblas_dnrm2`.
    @inlinable @inline(__always)
    public static func uncheckedNorm2(_ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32) -> Double {
        cblas_dnrm2(n, x, incx)
    }

    /// The corresponding C function is `cblas_dasum`.
    @inlinable @inline(__always)
    public static func uncheckedAbsoluteSum(
        _ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32
    ) -> Double {
        cblas_dasum(n, x, incx)
    }

    /// The corresponding C function is `cblas_idamax` (its result is already 0-based).
    @inlinable @inline(__always)
    public static func uncheckedIndexOfMaxMagnitude(
        _ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32
    ) -> Int {
        Int(truncatingIfNeeded: cblas_idamax(n, x, incx))
    }
}

extension Float: BLASScalar {
    /// The corresponding C function is `cblas_sgemm`.
    @inlinable @inline(__always)
    public static func uncheckedGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int32, _ b: UnsafePointer<Float>, _ ldb: Int32,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32
    ) {
        cblas_sgemm(
            order.cblas, transA.cblas, transB.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// The corresponding C function is `cblas_sgemv`.
    @inlinable @inline(__always)
    public static func uncheckedGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int32, _ x: UnsafePointer<Float>, _ incx: Int32,
        _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ incy: Int32
    ) {
        cblas_sgemv(order.cblas, trans.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    /// The corresponding C function is `cblas_sdot`.
    @inlinable @inline(__always)
    public static func uncheckedDot(
        _ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32, _ y: UnsafePointer<Float>,
        _ incy: Int32
    ) -> Float {
        cblas_sdot(n, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_saxpy`.
    @inlinable @inline(__always)
    public static func uncheckedAXPY(
        _ n: Int32, _ alpha: Float, _ x: UnsafePointer<Float>, _ incx: Int32,
        _ y: UnsafeMutablePointer<Float>, _ incy: Int32
    ) {
        cblas_saxpy(n, alpha, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_sscal`.
    @inlinable @inline(__always)
    public static func uncheckedScale(
        _ n: Int32, _ alpha: Float, _ x: UnsafeMutablePointer<Float>, _ incx: Int32
    ) {
        cblas_sscal(n, alpha, x, incx)
    }

    /// The corresponding C function is `cblas_snrm2`.
    @inlinable @inline(__always)
    public static func uncheckedNorm2(_ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32) -> Float {
        cblas_snrm2(n, x, incx)
    }

    /// The corresponding C function is `cblas_sasum`.
    @inlinable @inline(__always)
    public static func uncheckedAbsoluteSum(
        _ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32
    ) -> Float {
        cblas_sasum(n, x, incx)
    }

    /// The corresponding C function is `cblas_isamax` (its result is already 0-based).
    @inlinable @inline(__always)
    public static func uncheckedIndexOfMaxMagnitude(
        _ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32
    ) -> Int {
        Int(truncatingIfNeeded: cblas_isamax(n, x, incx))
    }
}

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

/// Whether a routine uses an operand as stored, transposed, or (complex types) conjugated
/// (`op(A)` in BLAS). For real types the conjugating cases equal the plain ones.
public enum BLASTranspose: Sendable, Equatable {
    /// `op(A) = A`. `CblasNoTrans`.
    case none
    /// `op(A) = Aᵀ`. `CblasTrans`.
    case transpose
    /// `op(A) = Aᴴ`, the conjugate transpose. `CblasConjTrans`.
    case conjugateTranspose
    /// `op(A) = conj(A)`, not transposed (OpenBLAS's `CblasConjNoTrans` extension): what a
    /// conjugate transpose becomes when the operand is passed in the other storage order.
    case conjugate

    /// Whether `op(A)` swaps rows and columns.
    @inlinable
    public var transposes: Bool { self == .transpose || self == .conjugateTranspose }

    @inlinable
    var cblas: CBLAS_TRANSPOSE {
        switch self {
        case .none: CblasNoTrans
        case .transpose: CblasTrans
        case .conjugateTranspose: CblasConjTrans
        case .conjugate: CblasConjNoTrans
        }
    }

    /// The flag for the same operand described in the other storage order (its memory
    /// read as the transpose).
    @inlinable
    var flipped: BLASTranspose {
        switch self {
        case .none: .transpose
        case .transpose: .none
        case .conjugateTranspose: .conjugate
        case .conjugate: .conjugateTranspose
        }
    }

    /// The same operation without conjugation (real routines).
    @inlinable
    var real: BLASTranspose {
        switch self {
        case .none, .conjugate: .none
        case .transpose, .conjugateTranspose: .transpose
        }
    }
}

/// An element type with CBLAS routines: `Float` and `Double` (the `s` and `d` routines,
/// see ``BLASScalar``) and ``Complex`` of either (the `c` and `z` routines).
///
/// Generic code such as ``gemm(transposeA:transposeB:alpha:_:_:beta:into:)`` calls these
/// requirements; the routines are `@inlinable`, so in a client module that uses a concrete
/// type the generic code is specialised and each requirement becomes a direct call to
/// `cblas_dgemm`, `cblas_zgemm`, … — no witness-table dispatch at run time.
///
/// The `unchecked…` requirements are the raw CBLAS calls: they validate nothing (CBLAS
/// prints an error and returns on invalid arguments; out-of-range pointers are undefined
/// behaviour). Prefer the validated routines built on views.
public protocol BLASElement: Sendable, Equatable, ExpressibleByIntegerLiteral {
    /// The type of magnitudes (norms, sums of magnitudes): `Self` for real types.
    associatedtype RealPart: BLASScalar

    static func * (lhs: Self, rhs: Self) -> Self

    /// `C = alpha·op(A)·op(B) + beta·C`. The corresponding C functions are `cblas_sgemm`,
    /// `cblas_dgemm`, `cblas_cgemm` and `cblas_zgemm`.
    static func uncheckedGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int32, _ b: UnsafePointer<Self>, _ ldb: Int32,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)

    /// `y = alpha·op(A)·x + beta·y`. The corresponding C functions are `cblas_?gemv`.
    static func uncheckedGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: Self,
        _ a: UnsafePointer<Self>, _ lda: Int32, _ x: UnsafePointer<Self>, _ incx: Int32,
        _ beta: Self, _ y: UnsafeMutablePointer<Self>, _ incy: Int32)

    /// `xᵀy`. The corresponding C functions are `cblas_sdot`, `cblas_ddot`,
    /// `cblas_cdotu_sub` and `cblas_zdotu_sub`.
    static func uncheckedDot(
        _ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32, _ y: UnsafePointer<Self>,
        _ incy: Int32) -> Self

    /// `xᴴy` (x conjugated; the same as ``uncheckedDot(_:_:_:_:_:)`` for real types). The
    /// corresponding C functions are `cblas_cdotc_sub` and `cblas_zdotc_sub`.
    static func uncheckedDotConjugated(
        _ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32, _ y: UnsafePointer<Self>,
        _ incy: Int32) -> Self

    /// `y += alpha·x`. The corresponding C functions are `cblas_?axpy`.
    static func uncheckedAXPY(
        _ n: Int32, _ alpha: Self, _ x: UnsafePointer<Self>, _ incx: Int32,
        _ y: UnsafeMutablePointer<Self>, _ incy: Int32)

    /// `x = alpha·x`. The corresponding C functions are `cblas_?scal`.
    static func uncheckedScale(_ n: Int32, _ alpha: Self, _ x: UnsafeMutablePointer<Self>, _ incx: Int32)

    /// `‖x‖₂`. The corresponding C functions are `cblas_snrm2`, `cblas_dnrm2`,
    /// `cblas_scnrm2` and `cblas_dznrm2`.
    static func uncheckedNorm2(_ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32) -> RealPart

    /// `Σ|xᵢ|` (`Σ|re|+|im|` for complex types). The corresponding C functions are
    /// `cblas_sasum`, `cblas_dasum`, `cblas_scasum` and `cblas_dzasum`.
    static func uncheckedAbsoluteSum(_ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32) -> RealPart

    /// 0-based index of the first element of largest magnitude (0 when `n` ≤ 0). The
    /// corresponding C functions are `cblas_i?amax`.
    static func uncheckedIndexOfMaxMagnitude(_ n: Int32, _ x: UnsafePointer<Self>, _ incx: Int32) -> Int
}

/// A real element type with CBLAS routines: `Float` (the `s` routines) and `Double` (the
/// `d` routines). Each also provides the routines of its ``Complex`` type (`c`, `z`),
/// through which `Complex<Float>` and `Complex<Double>` conform to ``BLASElement``.
public protocol BLASScalar: BLASElement, BinaryFloatingPoint where RealPart == Self {
    /// The corresponding C functions are `cblas_cgemm` and `cblas_zgemm`.
    static func uncheckedComplexGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: UnsafeRawPointer,
        _ a: UnsafeRawPointer, _ lda: Int32, _ b: UnsafeRawPointer, _ ldb: Int32,
        _ beta: UnsafeRawPointer, _ c: UnsafeMutableRawPointer, _ ldc: Int32)
    /// The corresponding C functions are `cblas_cgemv` and `cblas_zgemv`.
    static func uncheckedComplexGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: UnsafeRawPointer,
        _ a: UnsafeRawPointer, _ lda: Int32, _ x: UnsafeRawPointer, _ incx: Int32,
        _ beta: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, _ incy: Int32)
    /// The corresponding C functions are `cblas_cdotu_sub`/`cblas_cdotc_sub` and
    /// `cblas_zdotu_sub`/`cblas_zdotc_sub`.
    static func uncheckedComplexDot(
        conjugated: Bool, _ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32, _ y: UnsafeRawPointer,
        _ incy: Int32, _ result: UnsafeMutableRawPointer)
    /// The corresponding C functions are `cblas_caxpy` and `cblas_zaxpy`.
    static func uncheckedComplexAXPY(
        _ n: Int32, _ alpha: UnsafeRawPointer, _ x: UnsafeRawPointer, _ incx: Int32,
        _ y: UnsafeMutableRawPointer, _ incy: Int32)
    /// The corresponding C functions are `cblas_cscal` and `cblas_zscal`.
    static func uncheckedComplexScale(_ n: Int32, _ alpha: UnsafeRawPointer, _ x: UnsafeMutableRawPointer, _ incx: Int32)
    /// The corresponding C functions are `cblas_scnrm2` and `cblas_dznrm2`.
    static func uncheckedComplexNorm2(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Self
    /// The corresponding C functions are `cblas_scasum` and `cblas_dzasum`.
    static func uncheckedComplexAbsoluteSum(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Self
    /// The corresponding C functions are `cblas_icamax` and `cblas_izamax`.
    static func uncheckedComplexIndexOfMaxMagnitude(_ n: Int32, _ x: UnsafeRawPointer, _ incx: Int32) -> Int
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
        unsafe cblas_dgemm(
            order.cblas, transA.real.cblas, transB.real.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// The corresponding C function is `cblas_dgemv`.
    @inlinable @inline(__always)
    public static func uncheckedGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int32, _ x: UnsafePointer<Double>, _ incx: Int32,
        _ beta: Double, _ y: UnsafeMutablePointer<Double>, _ incy: Int32
    ) {
        unsafe cblas_dgemv(order.cblas, trans.real.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    /// The corresponding C function is `cblas_ddot`.
    @inlinable @inline(__always)
    public static func uncheckedDot(
        _ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32, _ y: UnsafePointer<Double>,
        _ incy: Int32
    ) -> Double {
        unsafe cblas_ddot(n, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_daxpy`.
    @inlinable @inline(__always)
    public static func uncheckedAXPY(
        _ n: Int32, _ alpha: Double, _ x: UnsafePointer<Double>, _ incx: Int32,
        _ y: UnsafeMutablePointer<Double>, _ incy: Int32
    ) {
        unsafe cblas_daxpy(n, alpha, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_dscal`.
    @inlinable @inline(__always)
    public static func uncheckedScale(
        _ n: Int32, _ alpha: Double, _ x: UnsafeMutablePointer<Double>, _ incx: Int32
    ) {
        unsafe cblas_dscal(n, alpha, x, incx)
    }

    /// The corresponding C function is `cblas_dnrm2`.
    @inlinable @inline(__always)
    public static func uncheckedNorm2(_ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32) -> Double {
        unsafe cblas_dnrm2(n, x, incx)
    }

    /// The corresponding C function is `cblas_dasum`.
    @inlinable @inline(__always)
    public static func uncheckedAbsoluteSum(
        _ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32
    ) -> Double {
        unsafe cblas_dasum(n, x, incx)
    }

    /// The corresponding C function is `cblas_idamax` (its result is already 0-based).
    @inlinable @inline(__always)
    public static func uncheckedIndexOfMaxMagnitude(
        _ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32
    ) -> Int {
        unsafe Int(truncatingIfNeeded: cblas_idamax(n, x, incx))
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
        unsafe cblas_sgemm(
            order.cblas, transA.real.cblas, transB.real.cblas, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// The corresponding C function is `cblas_sgemv`.
    @inlinable @inline(__always)
    public static func uncheckedGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int32, _ x: UnsafePointer<Float>, _ incx: Int32,
        _ beta: Float, _ y: UnsafeMutablePointer<Float>, _ incy: Int32
    ) {
        unsafe cblas_sgemv(order.cblas, trans.real.cblas, m, n, alpha, a, lda, x, incx, beta, y, incy)
    }

    /// The corresponding C function is `cblas_sdot`.
    @inlinable @inline(__always)
    public static func uncheckedDot(
        _ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32, _ y: UnsafePointer<Float>,
        _ incy: Int32
    ) -> Float {
        unsafe cblas_sdot(n, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_saxpy`.
    @inlinable @inline(__always)
    public static func uncheckedAXPY(
        _ n: Int32, _ alpha: Float, _ x: UnsafePointer<Float>, _ incx: Int32,
        _ y: UnsafeMutablePointer<Float>, _ incy: Int32
    ) {
        unsafe cblas_saxpy(n, alpha, x, incx, y, incy)
    }

    /// The corresponding C function is `cblas_sscal`.
    @inlinable @inline(__always)
    public static func uncheckedScale(
        _ n: Int32, _ alpha: Float, _ x: UnsafeMutablePointer<Float>, _ incx: Int32
    ) {
        unsafe cblas_sscal(n, alpha, x, incx)
    }

    /// The corresponding C function is `cblas_snrm2`.
    @inlinable @inline(__always)
    public static func uncheckedNorm2(_ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32) -> Float {
        unsafe cblas_snrm2(n, x, incx)
    }

    /// The corresponding C function is `cblas_sasum`.
    @inlinable @inline(__always)
    public static func uncheckedAbsoluteSum(
        _ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32
    ) -> Float {
        unsafe cblas_sasum(n, x, incx)
    }

    /// The corresponding C function is `cblas_isamax` (its result is already 0-based).
    @inlinable @inline(__always)
    public static func uncheckedIndexOfMaxMagnitude(
        _ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32
    ) -> Int {
        unsafe Int(truncatingIfNeeded: cblas_isamax(n, x, incx))
    }
}

extension Double {
    /// `xᵀy`: conjugation changes nothing for real numbers. The corresponding C function
    /// is `cblas_ddot`.
    @inlinable @inline(__always)
    public static func uncheckedDotConjugated(
        _ n: Int32, _ x: UnsafePointer<Double>, _ incx: Int32, _ y: UnsafePointer<Double>, _ incy: Int32
    ) -> Double {
        unsafe cblas_ddot(n, x, incx, y, incy)
    }
}

extension Float {
    /// `xᵀy`: conjugation changes nothing for real numbers. The corresponding C function
    /// is `cblas_sdot`.
    @inlinable @inline(__always)
    public static func uncheckedDotConjugated(
        _ n: Int32, _ x: UnsafePointer<Float>, _ incx: Int32, _ y: UnsafePointer<Float>, _ incy: Int32
    ) -> Float {
        unsafe cblas_sdot(n, x, incx, y, incy)
    }
}

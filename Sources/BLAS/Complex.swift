/// A complex number laid out as C's `float complex` / `double complex` and numpy's
/// complex64 / complex128: the real part, then the imaginary part. `Complex<Float>` and
/// `Complex<Double>` are the element types of the `c` and `z` BLAS routines.
///
/// Only what the routines need is here (construction, equality, product); it is a storage
/// type, not a complex-arithmetic library.
@frozen
public struct Complex<Real: BLASScalar>: BLASElement {
    public typealias RealPart = Real

    public var real: Real
    public var imaginary: Real

    @inlinable
    public init(_ real: Real, _ imaginary: Real = 0) {
        self.real = real
        self.imaginary = imaginary
    }

    @inlinable
    public init(integerLiteral value: Int) { self.init(Real(value)) }

    @inlinable
    public static func * (lhs: Complex, rhs: Complex) -> Complex {
        Complex(lhs.real * rhs.real - lhs.imaginary * rhs.imaginary,
                lhs.real * rhs.imaginary + lhs.imaginary * rhs.real)
    }

    // Each requirement forwards to `Real`'s complex routine; scalars go by address, as
    // CBLAS takes them.

    @inlinable @inline(__always)
    public static func uncheckedGEMM(
        _ order: BLASOrder, _ transA: BLASTranspose, _ transB: BLASTranspose,
        _ m: Int32, _ n: Int32, _ k: Int32, _ alpha: Complex,
        _ a: UnsafePointer<Complex>, _ lda: Int32, _ b: UnsafePointer<Complex>, _ ldb: Int32,
        _ beta: Complex, _ c: UnsafeMutablePointer<Complex>, _ ldc: Int32
    ) {
        unsafe withUnsafePointer(to: alpha) { pAlpha in
            unsafe withUnsafePointer(to: beta) { pBeta in
                unsafe Real.uncheckedComplexGEMM(order, transA, transB, m, n, k, pAlpha, a, lda, b, ldb, pBeta, c, ldc)
            }
        }
    }

    @inlinable @inline(__always)
    public static func uncheckedGEMV(
        _ order: BLASOrder, _ trans: BLASTranspose, _ m: Int32, _ n: Int32, _ alpha: Complex,
        _ a: UnsafePointer<Complex>, _ lda: Int32, _ x: UnsafePointer<Complex>, _ incx: Int32,
        _ beta: Complex, _ y: UnsafeMutablePointer<Complex>, _ incy: Int32
    ) {
        unsafe withUnsafePointer(to: alpha) { pAlpha in
            unsafe withUnsafePointer(to: beta) { pBeta in
                unsafe Real.uncheckedComplexGEMV(order, trans, m, n, pAlpha, a, lda, x, incx, pBeta, y, incy)
            }
        }
    }

    @inlinable @inline(__always)
    public static func uncheckedDot(
        _ n: Int32, _ x: UnsafePointer<Complex>, _ incx: Int32, _ y: UnsafePointer<Complex>, _ incy: Int32
    ) -> Complex {
        var result = Complex(0)
        // SAFETY: `result` is a local the call writes one complex number into.
        unsafe withUnsafeMutableBytes(of: &result) {
            unsafe Real.uncheckedComplexDot(conjugated: false, n, x, incx, y, incy, $0.baseAddress.unsafelyUnwrapped)
        }
        return result
    }

    @inlinable @inline(__always)
    public static func uncheckedDotConjugated(
        _ n: Int32, _ x: UnsafePointer<Complex>, _ incx: Int32, _ y: UnsafePointer<Complex>, _ incy: Int32
    ) -> Complex {
        var result = Complex(0)
        // SAFETY: `result` is a local the call writes one complex number into.
        unsafe withUnsafeMutableBytes(of: &result) {
            unsafe Real.uncheckedComplexDot(conjugated: true, n, x, incx, y, incy, $0.baseAddress.unsafelyUnwrapped)
        }
        return result
    }

    @inlinable @inline(__always)
    public static func uncheckedAXPY(
        _ n: Int32, _ alpha: Complex, _ x: UnsafePointer<Complex>, _ incx: Int32,
        _ y: UnsafeMutablePointer<Complex>, _ incy: Int32
    ) {
        unsafe withUnsafePointer(to: alpha) { unsafe Real.uncheckedComplexAXPY(n, $0, x, incx, y, incy) }
    }

    @inlinable @inline(__always)
    public static func uncheckedScale(_ n: Int32, _ alpha: Complex, _ x: UnsafeMutablePointer<Complex>, _ incx: Int32) {
        unsafe withUnsafePointer(to: alpha) { unsafe Real.uncheckedComplexScale(n, $0, x, incx) }
    }

    @inlinable @inline(__always)
    public static func uncheckedNorm2(_ n: Int32, _ x: UnsafePointer<Complex>, _ incx: Int32) -> Real {
        unsafe Real.uncheckedComplexNorm2(n, x, incx)
    }

    @inlinable @inline(__always)
    public static func uncheckedAbsoluteSum(_ n: Int32, _ x: UnsafePointer<Complex>, _ incx: Int32) -> Real {
        unsafe Real.uncheckedComplexAbsoluteSum(n, x, incx)
    }

    @inlinable @inline(__always)
    public static func uncheckedIndexOfMaxMagnitude(_ n: Int32, _ x: UnsafePointer<Complex>, _ incx: Int32) -> Int {
        unsafe Real.uncheckedComplexIndexOfMaxMagnitude(n, x, incx)
    }
}

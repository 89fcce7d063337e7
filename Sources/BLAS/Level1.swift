// Vector routines. Each uses CBLAS in place when the view allows it (any non-zero stride
// within Int32, aligned base) and otherwise works on a contiguous temporary copy. Calls on
// more than `BLASThreadPolicy.level1MultithreadingThreshold` elements go through the
// thread policy, since OpenBLAS threads those.

/// Runs `body` on a CBLAS-usable (pointer, increment) for `x`, copying it when necessary.
/// `positiveIncrement` is for order-insensitive routines (scal, nrm2, asum), which CBLAS
/// ignores for negative increments: the same elements are then passed with |increment|.
@inlinable
func _withInput<T: BLASElement, R>(
    _ x: VectorView<T>, routine: StaticString, positiveIncrement: Bool = false,
    _ body: (UnsafePointer<T>, Int32) -> R
) throws(BLASError) -> R {
    guard x.count <= Int(Int32.max) else { throw .tooLarge(routine, x.count) }
    if x.increment != 0 {
        let inc = positiveIncrement && x.increment < 0 ? 0 &- x.increment : x.increment
        return _guarded(x.count) { unsafe body(x.blasPointer, inc) }
    }
    let s = try _Scratch<T>(count: x.count, routine: routine)
    defer { s.free() }
    unsafe _gather(x, into: s.pointer)
    return _guarded(x.count) { unsafe body(s.pointer, 1) }
}

@inlinable
func _guarded<R>(_ count: Int, _ body: () -> R) -> R {
    guard count > BLASThreadPolicy.level1MultithreadingThreshold else { return body() }
    let mode = BLASThreadPolicy.shared.enter(mayWait: false)
    defer { BLASThreadPolicy.shared.leave(mode) }
    return body()
}

/// The dot product `xᵀy = Σ xᵢ·yᵢ`.
///
/// The corresponding C functions are `cblas_sdot` and `cblas_ddot`.
///
/// - Throws: ``BLASError`` when the lengths differ (`dot: y has length 4, expected 3`) or
///   exceed `Int32.max`, or a temporary copy cannot be allocated.
@inlinable
public func dot<T: BLASElement>(_ x: VectorView<T>, _ y: VectorView<T>) throws(BLASError) -> T {
    try _dot(x, y, conjugated: false)
}

/// The conjugated dot product `xᴴy = Σ conj(xᵢ)·yᵢ` (the same as ``dot(_:_:)`` for real
/// types).
///
/// The corresponding C functions are `cblas_cdotc_sub` and `cblas_zdotc_sub`.
@inlinable
public func dotConjugated<T: BLASElement>(_ x: VectorView<T>, _ y: VectorView<T>) throws(BLASError) -> T {
    try _dot(x, y, conjugated: true)
}

@inlinable
func _dot<T: BLASElement>(_ x: VectorView<T>, _ y: VectorView<T>, conjugated: Bool) throws(BLASError) -> T {
    guard x.count == y.count else { throw .lengthMismatch("dot", "y", expected: x.count, got: y.count) }
    guard x.count <= Int(Int32.max) else { throw .tooLarge("dot", x.count) }
    if x.count == 0 { return 0 }
    let n = Int32(truncatingIfNeeded: x.count)
    if x.increment != 0, y.increment != 0 {
        return _guarded(x.count) {
            unsafe conjugated ? T.uncheckedDotConjugated(n, x.blasPointer, x.increment, y.blasPointer, y.increment)
                : T.uncheckedDot(n, x.blasPointer, x.increment, y.blasPointer, y.increment)
        }
    }
    return try _dotCopying(n, x, y, conjugated: conjugated)
}

@inlinable @inline(never)
func _dotCopying<T: BLASElement>(_ n: Int32, _ x: VectorView<T>, _ y: VectorView<T>, conjugated: Bool) throws(BLASError) -> T {
    let sx = x.increment == 0 ? try _Scratch<T>(count: x.count, routine: "dot") : nil
    defer { sx?.free() }
    let sy = y.increment == 0 ? try _Scratch<T>(count: y.count, routine: "dot") : nil
    defer { sy?.free() }
    if let sx { unsafe _gather(x, into: sx.pointer) }
    if let sy { unsafe _gather(y, into: sy.pointer) }
    let (px, incx) = unsafe sx.map { unsafe (UnsafePointer($0.pointer), Int32(1)) } ?? (x.blasPointer, x.increment)
    let (py, incy) = unsafe sy.map { unsafe (UnsafePointer($0.pointer), Int32(1)) } ?? (y.blasPointer, y.increment)
    return _guarded(x.count) {
        unsafe conjugated ? T.uncheckedDotConjugated(n, px, incx, py, incy) : T.uncheckedDot(n, px, incx, py, incy)
    }
}

/// `y += alpha·x`.
///
/// If x shares memory with y (other than being exactly the same view), x is copied first
/// so the result is as if x had been read before any write.
///
/// The corresponding C functions are `cblas_saxpy` and `cblas_daxpy`.
///
/// - Throws: ``BLASError`` when the lengths differ or exceed `Int32.max`, y has a zero
///   stride, or a temporary copy cannot be allocated.
@inlinable
public func axpy<T: BLASElement>(
    alpha: T, _ x: VectorView<T>, into y: MutableVectorView<T>
) throws(BLASError) {
    guard x.count == y.count else { throw .lengthMismatch("axpy", "y", expected: x.count, got: y.count) }
    guard x.count <= Int(Int32.max) else { throw .tooLarge("axpy", x.count) }
    guard y.hasDistinctElements else { throw .overlappingOutput("axpy") }
    if x.count == 0 { return }
    let n = Int32(truncatingIfNeeded: x.count)
    let sameView = unsafe x.baseAddress == y.view.baseAddress && x.stride == y.stride
    if x.increment != 0, y.view.increment != 0, sameView || !x.extent.overlaps(y.view.extent) {
        _guarded(x.count) { unsafe T.uncheckedAXPY(n, alpha, x.blasPointer, x.increment, y.blasPointer, y.view.increment) }
        return
    }
    try _axpyCopying(n, alpha, x, y)
}

@inlinable @inline(never)
func _axpyCopying<T: BLASElement>(
    _ n: Int32, _ alpha: T, _ x: VectorView<T>, _ y: MutableVectorView<T>
) throws(BLASError) {
    let sx = try _Scratch<T>(count: x.count, routine: "axpy")
    defer { sx.free() }
    unsafe _gather(x, into: sx.pointer)
    if y.view.increment != 0 {
        _guarded(x.count) { unsafe T.uncheckedAXPY(n, alpha, sx.pointer, 1, y.blasPointer, y.view.increment) }
        return
    }
    let sy = try _Scratch<T>(count: y.count, routine: "axpy")
    defer { sy.free() }
    unsafe _gather(y.view, into: sy.pointer)
    _guarded(x.count) { unsafe T.uncheckedAXPY(n, alpha, sx.pointer, 1, sy.pointer, 1) }
    unsafe _scatter(sy.pointer, into: y)
}

/// `x = alpha·x`.
///
/// The corresponding C functions are `cblas_sscal` and `cblas_dscal`.
///
/// - Throws: ``BLASError`` when the length exceeds `Int32.max`, x has a zero stride, or a
///   temporary copy cannot be allocated.
@inlinable
public func scale<T: BLASElement>(_ x: MutableVectorView<T>, by alpha: T) throws(BLASError) {
    guard x.count <= Int(Int32.max) else { throw .tooLarge("scal", x.count) }
    guard x.hasDistinctElements else { throw .overlappingOutput("scal") }
    if x.count == 0 { return }
    let n = Int32(truncatingIfNeeded: x.count)
    if x.view.increment != 0 {
        let inc = x.view.increment < 0 ? 0 &- x.view.increment : x.view.increment
        _guarded(x.count) { unsafe T.uncheckedScale(n, alpha, x.blasPointer, inc) }
        return
    }
    let s = try _Scratch<T>(count: x.count, routine: "scal")
    defer { s.free() }
    unsafe _gather(x.view, into: s.pointer)
    _guarded(x.count) { unsafe T.uncheckedScale(n, alpha, s.pointer, 1) }
    unsafe _scatter(s.pointer, into: x)
}

/// The Euclidean norm `‖x‖₂`, computed without undue overflow or underflow.
///
/// The corresponding C functions are `cblas_snrm2` and `cblas_dnrm2`.
@inlinable
public func euclideanNorm<T: BLASElement>(_ x: VectorView<T>) throws(BLASError) -> T.RealPart {
    if x.count == 0 { return 0 }
    let n = Int32(truncatingIfNeeded: x.count)
    return unsafe try _withInput(x, routine: "nrm2", positiveIncrement: true) { unsafe T.uncheckedNorm2(n, $0, $1) }
}

/// The sum of magnitudes `Σ|xᵢ|`.
///
/// The corresponding C functions are `cblas_sasum` and `cblas_dasum`.
@inlinable
public func absoluteSum<T: BLASElement>(_ x: VectorView<T>) throws(BLASError) -> T.RealPart {
    if x.count == 0 { return 0 }
    let n = Int32(truncatingIfNeeded: x.count)
    return unsafe try _withInput(x, routine: "asum", positiveIncrement: true) { unsafe T.uncheckedAbsoluteSum(n, $0, $1) }
}

/// The 0-based index of the first element of largest magnitude (what scipy's `idamax`
/// returns), or nil for an empty vector.
///
/// A negative stride is copied first: CBLAS would scan in address order and could pick a
/// different element among equal magnitudes.
///
/// The corresponding C functions are `cblas_isamax` and `cblas_idamax`.
@inlinable
public func indexOfMaxMagnitude<T: BLASElement>(_ x: VectorView<T>) throws(BLASError) -> Int? {
    guard x.count <= Int(Int32.max) else { throw .tooLarge("iamax", x.count) }
    if x.count == 0 { return nil }
    let n = Int32(truncatingIfNeeded: x.count)
    if x.increment > 0 {
        return _guarded(x.count) { unsafe T.uncheckedIndexOfMaxMagnitude(n, x.blasPointer, x.increment) }
    }
    let s = try _Scratch<T>(count: x.count, routine: "iamax")
    defer { s.free() }
    unsafe _gather(x, into: s.pointer)
    return _guarded(x.count) { unsafe T.uncheckedIndexOfMaxMagnitude(n, s.pointer, 1) }
}

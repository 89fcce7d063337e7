import BLAS
import SwiftPy

/// When a BLAS call releases the GIL.
///
/// Releasing and re-taking the GIL costs ~50 ns uncontended but 70–160 µs when another
/// Python thread is waiting for it (docs/design.md), so calls keep the GIL below ~100 kflop
/// (a 37×37×37 product, ~3–10 µs of work; dgemm at n ≤ 36, level-1 on < 50 000 elements).
enum GILPolicy {
    static let releaseFlops = 100_000

    static func shouldRelease(flops: Int) -> Bool { flops >= releaseFlops }

    /// `2·n` for level-1 routines, saturating.
    static func vectorFlops(_ n: Int) -> Int { n > Int.max / 2 ? .max : 2 &* max(n, 0) }
}

/// What `matmul` computes once the operands are known.
private enum MatmulKind {
    /// (m, k) @ (k, n) -> (m, n)
    case matrixMatrix
    /// (m, k) @ (k,) -> (m,)
    case matrixVector
    /// (k,) @ (k, n) -> (n,)
    case vectorMatrix
    /// (k,) @ (k,) -> scalar
    case vectorVector
}

/// `swiftpy.blas.matmul(a, b, out=None)`.
///
/// 1-D and 2-D operands take this path (no per-call arrays); stacks go to
/// ``matmulStacks(_:_:_:_:)``.
func matmul(_ py: Python, _ aObject: PyBorrowedRef, _ bObject: PyBorrowedRef, _ outObject: PyBorrowedRef?) throws -> PyObjectRef {
    guard var a = try matmulOperand(aObject, py, index: 0), var b = try matmulOperand(bObject, py, index: 1) else {
        return try matmulStacks(py, aObject, bObject, outObject)
    }
    // numpy's promotion: float32 @ float64 computes in float64, real @ complex in complex.
    let dtype = DType.promoted(a.dtype, b.dtype)
    if a.dtype != dtype { a = try a.converted(to: dtype) }
    if b.dtype != dtype { b = try b.converted(to: dtype) }

    let (kind, m, k, n): (MatmulKind, Int, Int, Int) = switch (a.ndim, b.ndim) {
    case (2, 2): (.matrixMatrix, a.rows, a.columns, b.columns)
    case (2, 1): (.matrixVector, a.rows, a.columns, 1)
    case (1, 2): (.vectorMatrix, 1, a.rows, b.columns)
    default: (.vectorVector, 1, a.rows, 1)
    }
    let bInner = b.ndim == 2 ? b.rows : b.count
    guard bInner == k else {
        throw PyException.valueError(
            "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                + "(n?,k),(k,m?)->(n?,m?) (size \(bInner) is different from \(k))")
    }

    if kind == .vectorVector {
        guard outObject == nil else { throw PyException.valueError("matmul: out is not supported for 1-D @ 1-D (the result is a scalar)") }
        let (pa, pb) = (a.pinned, b.pinned)
        return try ArrayArgument.keepingAlive(a, b) {
            let release = GILPolicy.shouldRelease(flops: GILPolicy.vectorFlops(k))
            func product<T: DTypeElement>(_: T.Type) throws -> (Double, Double) {
                try py.detachBLAS(if: release) { () throws(BLASError) -> (Double, Double) in
                    try dot(pa.vector(T.self), pb.vector(T.self)).pair
                }
            }
            let value = switch dtype {
            case .float32: try product(Float.self)
            case .float64: try product(Double.self)
            case .complex64: try product(Complex<Float>.self)
            case .complex128: try product(Complex<Double>.self)
            }
            return try py.blasScalar(value, dtype)
        }
    }

    // The result: rows × columns for 2-D @ 2-D, else a vector.
    let resultShape: (Int, Int?) = switch kind {
    case .matrixMatrix: (m, n)
    case .matrixVector: (m, nil)
    default: (n, nil)
    }
    let out: ArrayArgument
    let resultObject: PyObjectRef
    if let outObject {
        // An `out` of another dtype the result casts to: the stack path computes, then casts.
        guard let validated = try matmulOutput(outObject, py, dtype: dtype, shape: resultShape, a, b) else {
            return try matmulStacks(py, aObject, bObject, outObject)
        }
        out = validated
        resultObject = PyObjectRef(outObject)
    } else {
        let (array, buffer) = try ArrayArgument.allocate(dtype, rows: resultShape.0, columns: resultShape.1)
        out = array
        resultObject = try py.blasResult(buffer)
    }

    let (pa, pb, pc) = (a.pinned, b.pinned, out.pinned)
    let productFlops = flops(m: m, n: n, k: k)
    try ArrayArgument.keepingAlive(a, b, out) {
        if kind == .matrixMatrix, productFlops > PanelPolicy.panelFlops(dtype) {
            // Long: in blocks, polling for Ctrl-C between them.
            try py.detachBLASInterruptibly(if: true) { interruption in
                switch dtype {
                case .float32: try matmulInPanels(Float.self, pa, pb, pc, &interruption)
                case .float64: try matmulInPanels(Double.self, pa, pb, pc, &interruption)
                case .complex64: try matmulInPanels(Complex<Float>.self, pa, pb, pc, &interruption)
                case .complex128: try matmulInPanels(Complex<Double>.self, pa, pb, pc, &interruption)
                }
            }
            return
        }
        try py.detachBLAS(if: GILPolicy.shouldRelease(flops: productFlops)) { () throws(BLASError) in
            switch dtype {
            case .float32: try computeMatmul(Float.self, kind, pa, pb, pc)
            case .float64: try computeMatmul(Double.self, kind, pa, pb, pc)
            case .complex64: try computeMatmul(Complex<Float>.self, kind, pa, pb, pc)
            case .complex128: try computeMatmul(Complex<Double>.self, kind, pa, pb, pc)
            }
        }
    }
    return resultObject
}

/// When products are split into blocks (see ``BLAS/gemm(transposeA:transposeB:alpha:_:_:beta:into:panelFlops:between:)``).
enum PanelPolicy {
    /// Largest block between two checks for Ctrl-C, in real flops: 3 Gflop is ~30 ms on 2
    /// Zen 3 cores (~60 ms on one), so Ctrl-C lands within ~100 ms; products up to this
    /// size (dgemm n = 1024 is 2.1 Gflop) run as one call and pay nothing.
    static let panelFlops = 3_000_000_000

    /// The same budget counted as `flops(m:n:k:)` counts a product of `dtype` (2·m·n·k):
    /// a complex multiply-add is 4 real ones.
    static func panelFlops(_ dtype: DType) -> Int { dtype.isComplex ? panelFlops / 4 : panelFlops }
}

/// A matrix product in blocks, checking for signals between blocks.
func matmulInPanels<T: DTypeElement>(_: T.Type, _ a: PinnedArray, _ b: PinnedArray, _ c: PinnedArray,
                                     _ interruption: inout Interruption) throws {
    var pending: (any Error)? = nil
    let finished = try gemm(a.matrix(T.self), b.matrix(T.self), into: c.mutableMatrix(T.self),
                            panelFlops: PanelPolicy.panelFlops(T.dtype)) {
        do { try interruption.check() } catch {
            pending = error
            return false
        }
        return true
    }
    if !finished, let pending { throw pending }
}

private func computeMatmul<T: DTypeElement>(
    _: T.Type, _ kind: MatmulKind, _ a: PinnedArray, _ b: PinnedArray, _ c: PinnedArray
) throws(BLASError) {
    switch kind {
    case .matrixMatrix:
        try BLAS.matmul(a.matrix(T.self), b.matrix(T.self), into: c.mutableMatrix(T.self))
    case .matrixVector:
        try gemv(a.matrix(T.self), b.vector(T.self), into: c.mutableVector(T.self))
    case .vectorMatrix:
        try gemv(transpose: .transpose, b.matrix(T.self), a.vector(T.self), into: c.mutableVector(T.self))
    case .vectorVector:
        break
    }
}

/// An input of matmul: a float32/float64 buffer used in place; a list (or other
/// non-buffer sequence) converted to float64; anything else refused. nil for operands
/// of more than 2 dimensions (the caller takes the stack path).
private func matmulOperand(_ object: PyBorrowedRef, _ py: Python, index: Int) throws -> ArrayArgument? {
    let (pinned, buffer) = try ArrayArgument.pin(object, py)
    let array: ArrayArgument
    if let pinned {
        array = pinned
    } else if let buffer {
        if buffer.dimensions > 2 { return nil }
        throw PyException.typeError("matmul: unsupported dtype for input operand \(index): format '\(buffer.format)' "
                                    + "(float32, float64, complex64 and complex128 are supported)")
    } else if object.isNone {
        throw PyException.typeError("matmul: input operand \(index) must be an array, not None")
    } else if let numpy = py.numpy {
        // numpy converts nested sequences of any depth; stacks take the other path.
        let converted: PyObjectRef
        do {
            converted = try py.call(numpy.asarray.borrowed, [PyObjectRef(object)], kwargs: ["dtype": try "d".toPython(py)])
        } catch let error as PyException {
            throw PyException.typeError("matmul: cannot convert \(object.typeName) to a float64 array (\(error.message))")
        }
        guard let pinned = try ArrayArgument.pin(converted.borrowed, py).0 else { return nil }
        array = pinned.asPrivateCopy
    } else {
        array = try ArrayArgument.fromSequence(object, py, dtype: .float64, name: "matmul")
    }
    guard array.ndim >= 1 else {
        throw PyException.valueError("matmul: Input operand \(index) does not have enough dimensions (has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) requires 1)")
    }
    return array
}

/// Validates `out`: a writable buffer of the result's dtype and shape that shares no
/// memory with an input. nil when `out` has another dtype the result can be cast to
/// (numpy's "same_kind"): the caller takes the path that casts.
private func matmulOutput(_ object: PyBorrowedRef, _ py: Python, dtype: DType, shape: (Int, Int?), _ a: ArrayArgument, _ b: ArrayArgument) throws -> ArrayArgument? {
    let (pinned, buffer) = try ArrayArgument.pin(object, py, writable: true)
    guard let buffer else {
        throw PyException.typeError("matmul: out must be a writable float32 or float64 array, not '\(object.typeName)'")
    }
    guard let out = pinned else {
        throw PyException.typeError("matmul: out has format '\(buffer.format)' with \(buffer.dimensions) dimensions; expected a \(dtype.name) array")
    }
    guard !out.isReadOnly else { throw PyException.valueError("matmul: output array is read-only") }
    guard out.dtype == dtype else {
        guard dtype.converts(to: out.dtype) else { throw castError(dtype, out.dtype) }
        return nil
    }
    let matches = shape.1.map { out.ndim == 2 && out.rows == shape.0 && out.columns == $0 } ?? (out.ndim == 1 && out.rows == shape.0)
    guard matches else {
        let expected = shape.1.map { "(\(shape.0), \($0))" } ?? "(\(shape.0),)"
        throw PyException.valueError("matmul: out has shape \(out.shapeDescription), expected \(expected)")
    }
    if out.overlaps(a) || out.overlaps(b) {
        throw PyException.valueError("matmul: out shares memory with an input operand")
    }
    return out
}

/// numpy's refusal to cast a result into `out` (a `TypeError`, as numpy's UFuncTypeError is).
func castError(_ result: DType, _ out: DType) -> PyException {
    PyException.typeError("matmul: Cannot cast ufunc 'matmul' output from dtype('\(result.name)') to dtype('\(out.name)') with casting rule 'same_kind'")
}

import BLAS
import Testing

/// Reference `alpha·op(A)·op(B) + beta·C` in Double, plus the magnitude scale of each entry.
func referenceGEMM<T: BLASScalar>(
    _ ta: BLASTranspose, _ tb: BLASTranspose, _ alpha: T, _ a: Operand<T>, _ b: Operand<T>,
    _ beta: T, _ c: Operand<T>
) -> (values: [[Double]], scale: [[Double]]) {
    let m = c.rows, n = c.columns
    let k = ta == .none ? a.columns : a.rows
    var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: m)
    var scale = out
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0, mag = 0.0
            for p in 0..<k {
                let x = Double(ta == .none ? a[i, p] : a[p, i])
                let y = Double(tb == .none ? b[p, j] : b[j, p])
                s += x * y
                mag += abs(x * y)
            }
            let cv = beta == 0 ? 0 : Double(beta) * Double(c[i, j])
            out[i][j] = Double(alpha) * s + cv
            scale[i][j] = abs(Double(alpha)) * mag + abs(cv)
        }
    }
    return (out, scale)
}

func randomGEMM<T: BLASScalar>(_: T.Type, seed: UInt64, cases: Int) throws {
    var rng = SplitMix64(seed: seed)
    let sizes = [0, 1, 1, 2, 3, 4, 5, 7, 8, 13]
    let scalars: [Double] = [0, 1, -1, 0.5, 2.5]
    for _ in 0..<cases {
        let m = sizes.randomElement(using: &rng)!, n = sizes.randomElement(using: &rng)!
        let k = sizes.randomElement(using: &rng)!
        let ta: BLASTranspose = Bool.random(using: &rng) ? .none : .transpose
        let tb: BLASTranspose = Bool.random(using: &rng) ? .none : .transpose
        let ka = Kind.allCases.randomElement(using: &rng)!, kb = Kind.allCases.randomElement(using: &rng)!
        let kc = Kind.allCases.randomElement(using: &rng)!
        let a = ta == .none ? Operand<T>(rows: m, columns: k, kind: ka, rng: &rng) : Operand<T>(rows: k, columns: m, kind: ka, rng: &rng)
        let b = tb == .none ? Operand<T>(rows: k, columns: n, kind: kb, rng: &rng) : Operand<T>(rows: n, columns: k, kind: kb, rng: &rng)
        let c = Operand<T>(rows: m, columns: n, kind: kc, rng: &rng)
        let alpha = T(scalars.randomElement(using: &rng)!), beta = T(scalars.randomElement(using: &rng)!)
        if beta == 0 { for i in 0..<m { for j in 0..<n { c[i, j] = .nan } } }  // must not be read
        let (expected, scale) = referenceGEMM(ta, tb, alpha, a, b, beta, c)
        let before = c.snapshot, covered = c.covered
        try gemm(transposeA: ta, transposeB: tb, alpha: alpha, a.view, b.view, beta: beta, into: c.mutableView)
        let context = "m=\(m) n=\(n) k=\(k) \(ta) \(tb) A:\(ka) B:\(kb) C:\(kc) alpha=\(alpha) beta=\(beta)"
        for i in 0..<m {
            for j in 0..<n {
                #expect(close(c[i, j], expected[i][j], scale: scale[i][j]), "\(context) at (\(i), \(j))")
            }
        }
        let after = c.snapshot
        for idx in before.indices where !covered.contains(idx) {
            #expect(before[idx] == after[idx] || (before[idx].isNaN && after[idx].isNaN), "wrote outside the view: \(context)")
        }
    }
}

@Suite struct GEMMTests {
    @Test func randomDouble() throws { try randomGEMM(Double.self, seed: 1, cases: 600) }
    @Test func randomFloat() throws { try randomGEMM(Float.self, seed: 2, cases: 600) }

    @Test func layoutsNeedNoCopyAndGiveTheSameResult() throws {
        // Row-major × column-major into column-major: one CBLAS call with flipped flags.
        var rng = SplitMix64(seed: 3)
        let a = Operand<Double>(rows: 3, columns: 4, kind: .rowMajor, rng: &rng)
        let b = Operand<Double>(rows: 4, columns: 2, kind: .columnMajor, rng: &rng)
        let c = Operand<Double>(rows: 3, columns: 2, kind: .columnMajor, rng: &rng)
        #expect(a.view.layout == .rowMajor(leadingDimension: 4))
        #expect(b.view.layout == .columnMajor(leadingDimension: 4))
        try gemm(a.view, b.view, into: c.mutableView)
        let (expected, scale) = referenceGEMM(.none, .none, 1.0, a, b, 0.0, c)
        for i in 0..<3 { for j in 0..<2 { #expect(close(c[i, j], expected[i][j], scale: scale[i][j])) } }
    }

    @Test func emptyInnerDimensionScalesC() throws {
        for beta in [0.0, 1.0, 3.0] {
            var rng = SplitMix64(seed: 4)
            let a = Operand<Double>(rows: 2, columns: 0, kind: .rowMajor, rng: &rng)
            let b = Operand<Double>(rows: 0, columns: 3, kind: .rowMajor, rng: &rng)
            let c = Operand<Double>(rows: 2, columns: 3, kind: .strided, rng: &rng)
            let old = (0..<2).map { i in (0..<3).map { j in c[i, j] } }
            try gemm(alpha: 2, a.view, b.view, beta: beta, into: c.mutableView)
            for i in 0..<2 { for j in 0..<3 { #expect(c[i, j] == beta * old[i][j]) } }
        }
    }

    @Test func emptyOutputIsANoOp() throws {
        var rng = SplitMix64(seed: 5)
        let a = Operand<Float>(rows: 0, columns: 3, kind: .rowMajor, rng: &rng)
        let b = Operand<Float>(rows: 3, columns: 4, kind: .rowMajor, rng: &rng)
        let c = Operand<Float>(rows: 0, columns: 4, kind: .rowMajor, rng: &rng)
        try gemm(a.view, b.view, into: c.mutableView)
        let empty = try MutableMatrixView<Double>(start: nil, rows: 0, columns: 0, rowStride: 0, columnStride: 0)
        let none = try MatrixView<Double>(start: nil, rows: 0, columns: 0, rowStride: 0, columnStride: 0)
        try gemm(none, none, into: empty)
    }

    @Test func outputAliasingAnInputIsHandled() throws {
        // C = A·B where C is A's own memory: A must be read before C is written.
        var rng = SplitMix64(seed: 6)
        let a = Operand<Double>(rows: 4, columns: 4, kind: .rowMajor, rng: &rng)
        let b = Operand<Double>(rows: 4, columns: 4, kind: .columnMajor, rng: &rng)
        let copyA = Operand<Double>(rows: 4, columns: 4, kind: .rowMajor, rng: &rng)
        for i in 0..<4 { for j in 0..<4 { copyA[i, j] = a[i, j] } }
        let (expected, scale) = referenceGEMM(.none, .none, 1.0, copyA, b, 0.0, copyA)
        try gemm(a.view, b.view, into: a.mutableView)
        for i in 0..<4 { for j in 0..<4 { #expect(close(a[i, j], expected[i][j], scale: scale[i][j])) } }
    }

    @Test func misalignedOperandsAreCopied() throws {
        // A Float matrix at an odd byte address: valid, strided, copied with unaligned loads.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 4 * 6 + 1, alignment: 8)
        defer { raw.deallocate() }
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        for (i, v) in values.enumerated() { raw.storeBytes(of: v, toByteOffset: 1 + 4 * i, as: Float.self) }
        let a = try MatrixView<Float>(bytes: raw + 1, rows: 2, columns: 3, rowByteStride: 12, columnByteStride: 4)
        #expect(a.layout == .strided)
        let identity = try Matrix<Float>(rows: 3, columns: 3, elements: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        var c = try Matrix<Float>(rows: 2, columns: 3)
        try identity.withView { (i) throws(BLASError) in
            try c.withMutableView { (out) throws(BLASError) in try gemm(a, i, into: out) }
        }
        #expect(c.elements == values)
        // And as a misaligned OUTPUT: computed in a temporary and stored back unaligned.
        let out = try MutableMatrixView<Float>(bytes: raw + 1, rows: 2, columns: 3, rowByteStride: 12, columnByteStride: 4)
        let aligned = Matrix(copying: a)
        try aligned.withView { (va) throws(BLASError) in
            try identity.withView { (i) throws(BLASError) in try gemm(alpha: 2, va, i, into: out) }
        }
        for (i, v) in values.enumerated() {
            #expect(raw.loadUnaligned(fromByteOffset: 1 + 4 * i, as: Float.self) == 2 * v)
        }
    }

    @Test func shapeErrors() throws {
        let a = try Matrix<Double>(rows: 2, columns: 3), b = try Matrix<Double>(rows: 4, columns: 5)
        var c = try Matrix<Double>(rows: 2, columns: 5)
        a.withView { va in
            b.withView { vb in
                c.withMutableView { vc in
                    expectError(.shapeMismatch, "gemm: shapes (2, 3) and (4, 5) not aligned: 3 (dim 1) != 4 (dim 0)") {
                        try gemm(va, vb, into: vc)
                    }
                    expectError(.shapeMismatch, "gemm: shapes (3, 2) and (4, 5) not aligned: 2 (dim 1) != 4 (dim 0)") {
                        try gemm(transposeA: .transpose, va, vb, into: vc)
                    }
                    expectError(.shapeMismatch, "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)") {
                        try matmul(va, vb, into: vc)
                    }
                    expectError(.shapeMismatch, "gemm: output shape (2, 5) does not match the result shape (2, 2)") {
                        try gemm(va, va.transposed, into: vc)
                    }
                    expectError(.shapeMismatch, "matmul: Output operand 0 has a mismatch in its core dimension 1, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 5 is different from 2)") {
                        try matmul(va, va.transposed, into: vc)
                    }
                    expectError(.shapeMismatch, "matmul: Output operand 0 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size 2 is different from 3)") {
                        try matmul(va.transposed, va, into: vc)
                    }
                }
            }
        }
    }

    @Test func dimensionsBeyondInt32Throw() throws {
        // A zero stride lets a tiny buffer describe a huge matrix (numpy broadcast_to).
        var x = 1.0
        try withUnsafeMutablePointer(to: &x) { p in
            let huge = Int(Int32.max) + 1
            let tall = try MatrixView<Double>(start: p, rows: huge, columns: 1, rowStride: 0, columnStride: 0)
            let one = try MatrixView<Double>(start: p, rows: 1, columns: 1, rowStride: 0, columnStride: 0)
            let out = try MutableMatrixView<Double>(start: p, rows: huge, columns: 1, rowStride: 0, columnStride: 0)
            expectError(.tooLarge, "gemm: dimension 2147483648 exceeds the CBLAS limit 2147483647") {
                try gemm(tall, one, into: out)
            }
            let wide = try MatrixView<Double>(start: p, rows: 1, columns: huge, rowStride: 0, columnStride: 0)
            let out1 = try MutableMatrixView<Double>(start: p, rows: 1, columns: 1, rowStride: 0, columnStride: 0)
            expectError(.tooLarge) { try gemm(wide, tall, into: out1) }
        }
    }

    @Test func selfOverlappingOutputThrows() throws {
        var rng = SplitMix64(seed: 7)
        let a = Operand<Double>(rows: 2, columns: 2, kind: .rowMajor, rng: &rng)
        let c = Operand<Double>(rows: 2, columns: 2, rowStride: 0, columnStride: 1, rng: &rng)
        expectError(.overlappingOutput) { try gemm(a.view, a.view, into: c.mutableView) }
        let d = Operand<Double>(rows: 2, columns: 3, rowStride: 2, columnStride: 1, rng: &rng)
        expectError(.overlappingOutput) { try gemm(a.view, d.view, into: d.mutableView) }
    }

    @Test func matrixConvenience() throws {
        let a = try Matrix<Double>(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        let b = try Matrix<Double>(rows: 3, columns: 2, elements: [7, 8, 9, 10, 11, 12])
        let c = try matmul(a, b)
        #expect(c == (try Matrix(rows: 2, columns: 2, elements: [58, 64, 139, 154])))
        #expect(a.transposed.elements == [1, 4, 2, 5, 3, 6])
        #expect(c[1, 0] == 139)
        expectError(.shapeMismatch) { _ = try matmul(a, a) }
        expectError(.shapeMismatch) { _ = try Matrix<Float>(rows: 2, columns: 2, elements: [1]) }
        expectError(.invalidShape) { _ = try Matrix<Float>(rows: -1, columns: 2) }
        expectError(.tooLarge) { _ = try Matrix<Float>(rows: Int.max, columns: 2) }
    }
}

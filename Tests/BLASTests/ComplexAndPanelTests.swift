import BLAS
import Testing

/// Naive `op(A)·op(B)` for complex matrices stored row-major, as the reference.
private func referenceProduct(
    _ a: [Complex<Double>], _ b: [Complex<Double>], m: Int, k: Int, n: Int,
    conjugateTransposeA: Bool
) -> [Complex<Double>] {
    var c = [Complex<Double>](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var re = 0.0, im = 0.0
            for p in 0..<k {
                // op(A)[i, p]: A is (m × k), or (k × m) conjugated and transposed.
                var x = conjugateTransposeA ? a[p * m + i] : a[i * k + p]
                if conjugateTransposeA { x.imaginary = -x.imaginary }
                let y = b[p * n + j]
                re += x.real * y.real - x.imaginary * y.imaginary
                im += x.real * y.imaginary + x.imaginary * y.real
            }
            c[i * n + j] = Complex(re, im)
        }
    }
    return c
}

private func randomComplex(_ count: Int, _ rng: inout SplitMix64) -> [Complex<Double>] {
    (0..<count).map { _ in Complex(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng)) }
}

private func near(_ x: [Complex<Double>], _ y: [Complex<Double>], tolerance: Double = 1e-12) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { abs($0.real - $1.real) <= tolerance && abs($0.imaginary - $1.imaginary) <= tolerance }
}

@Suite struct ComplexTests {
    @Test(arguments: [false, true]) func gemmMatchesTheReference(conjugateTransposeA: Bool) throws {
        var rng = SplitMix64(seed: 11)
        let (m, k, n) = (5, 7, 3)
        let a = randomComplex(m * k, &rng), b = randomComplex(k * n, &rng)
        var c = [Complex<Double>](repeating: Complex(9, 9), count: m * n)
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try c.withUnsafeMutableBufferPointer { pc in
                    let av = conjugateTransposeA ? try MatrixView(pa, rows: k, columns: m) : try MatrixView(pa, rows: m, columns: k)
                    try gemm(transposeA: conjugateTransposeA ? .conjugateTranspose : .none, av,
                             try MatrixView(pb, rows: k, columns: n), into: try MutableMatrixView(pc, rows: m, columns: n))
                }
            }
        }
        #expect(near(c, referenceProduct(a, b, m: m, k: k, n: n, conjugateTransposeA: conjugateTransposeA)))
    }

    @Test func conjugateTransposeOfAColumnMajorOperandUsesConjNoTrans() throws {
        // The same values stored column-major: passed to CBLAS as its transpose, so the
        // flag becomes CblasConjNoTrans.
        var rng = SplitMix64(seed: 12)
        let (m, k, n) = (4, 6, 2)
        let a = randomComplex(k * m, &rng), b = randomComplex(k * n, &rng)  // a: (k × m) row-major
        var c = [Complex<Double>](repeating: 0, count: m * n)
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try c.withUnsafeMutableBufferPointer { pc in
                    // (m × k) column-major view of the same memory = the transpose of a.
                    let at = try MatrixView(pa, rows: m, columns: k, order: .columnMajor).transposed
                    try gemm(transposeA: .conjugateTranspose, at, try MatrixView(pb, rows: k, columns: n),
                             into: try MutableMatrixView(pc, rows: m, columns: n))
                }
            }
        }
        #expect(near(c, referenceProduct(a, b, m: m, k: k, n: n, conjugateTransposeA: true)))
    }

    @Test func dotsAndNorm() throws {
        let x: [Complex<Double>] = [Complex(1, 2), Complex(3, -1)]
        let y: [Complex<Double>] = [Complex(0, 1), Complex(2, 2)]
        let (plain, conjugated, norm) = try x.withUnsafeBufferPointer { px in
            try y.withUnsafeBufferPointer { py in
                let (vx, vy) = (VectorView(px), VectorView(py))
                return (try dot(vx, vy), try dotConjugated(vx, vy), try euclideanNorm(vx))
            }
        }
        // (1+2i)i + (3-i)(2+2i) = (-2+i) + (8+4i) = 6+5i
        #expect(plain == Complex(6, 5))
        // (1-2i)i + (3+i)(2+2i) = (2+i) + (4+8i) = 6+9i
        #expect(conjugated == Complex(6, 9))
        #expect(abs(norm - (15.0).squareRoot()) < 1e-14)
    }
}

/// Products above the thread policy's threshold: serialised with the policy's own tests.
extension ThreadPolicyUsers {
@Suite struct PanelTests {
    @Test(arguments: [BLASTranspose.none, .transpose]) func blocksGiveTheSameProduct(transposeA: BLASTranspose) throws {
        var rng = SplitMix64(seed: 13)
        let (m, k, n) = (1100, 40, 1300)
        let a = (0..<(m * k)).map { _ in Double.random(in: -1...1, using: &rng) }
        let b = (0..<(k * n)).map { _ in Double.random(in: -1...1, using: &rng) }
        var whole = [Double](repeating: 0, count: m * n), blocked = whole
        var calls = 0
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                let av = transposeA == .none ? try MatrixView(pa, rows: m, columns: k) : try MatrixView(pa, rows: k, columns: m)
                let bv = try MatrixView(pb, rows: k, columns: n)
                try whole.withUnsafeMutableBufferPointer {
                    try gemm(transposeA: transposeA, av, bv, into: try MutableMatrixView($0, rows: m, columns: n))
                }
                try blocked.withUnsafeMutableBufferPointer {
                    let finished = try gemm(transposeA: transposeA, av, bv, into: try MutableMatrixView($0, rows: m, columns: n),
                                            panelFlops: 30_000_000) {
                        calls += 1
                        return true
                    }
                    #expect(finished)
                }
            }
        }
        // 1100 × 1300 with k = 40 is 114 Mflop: blocks of 550 × 650 (28.6 Mflop) → 4 blocks.
        #expect(panelShape(m: m, n: n, k: k, panelFlops: 30_000_000) == (550, 650))
        #expect(calls == 3)
        #expect(zip(whole, blocked).allSatisfy { abs($0 - $1) <= 1e-12 })
    }

    @Test func betweenStopsTheProduct() throws {
        let (m, k, n) = (1024, 8, 1024)
        let a = [Double](repeating: 1, count: m * k), b = [Double](repeating: 1, count: k * n)
        var c = [Double](repeating: 0, count: m * n)
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try c.withUnsafeMutableBufferPointer {
                    let finished = try gemm(try MatrixView(pa, rows: m, columns: k), try MatrixView(pb, rows: k, columns: n),
                                            into: try MutableMatrixView($0, rows: m, columns: n), panelFlops: 1) { false }
                    #expect(!finished)
                }
            }
        }
        #expect(c[0] == 8 && c[m * n - 1] == 0)  // the first block only
    }
}
}

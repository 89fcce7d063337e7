import BLAS
import Testing

func randomGEMV<T: BLASScalar>(_: T.Type, seed: UInt64, cases: Int) throws {
    var rng = SplitMix64(seed: seed)
    let sizes = [0, 1, 2, 3, 5, 8, 17]
    let xStrides = [1, 1, 2, -1, -3, 0]
    let yStrides = [1, 1, 3, -1, -2]
    for _ in 0..<cases {
        let rows = sizes.randomElement(using: &rng)!, columns = sizes.randomElement(using: &rng)!
        let t: BLASTranspose = Bool.random(using: &rng) ? .none : .transpose
        let kind = Kind.allCases.randomElement(using: &rng)!
        let a = Operand<T>(rows: rows, columns: columns, kind: kind, rng: &rng)
        let (m, n) = t == .none ? (rows, columns) : (columns, rows)
        let x = Vector<T>(count: n, stride: xStrides.randomElement(using: &rng)!, rng: &rng)
        let y = Vector<T>(count: m, stride: yStrides.randomElement(using: &rng)!, rng: &rng)
        let alpha = T([0, 1, -2, 0.5].randomElement(using: &rng)!)
        let beta = T([0, 1, 3].randomElement(using: &rng)!)
        if beta == 0 { for i in 0..<m { y[i] = .nan } }
        var expected = [Double](), scale = [Double]()
        for i in 0..<m {
            var s = 0.0, mag = 0.0
            for p in 0..<n {
                let v = Double(t == .none ? a[i, p] : a[p, i]) * Double(x[p])
                s += v
                mag += abs(v)
            }
            let yv = beta == 0 ? 0 : Double(beta) * Double(y[i])
            expected.append(Double(alpha) * s + yv)
            scale.append(abs(Double(alpha)) * mag + abs(yv))
        }
        let before = y.snapshot, covered = y.covered
        try gemv(transpose: t, alpha: alpha, a.view, x.view, beta: beta, into: y.mutableView)
        let context = "\(rows)x\(columns) \(t) \(kind) incx=\(x.stride) incy=\(y.stride) alpha=\(alpha) beta=\(beta)"
        for i in 0..<m { #expect(close(y[i], expected[i], scale: scale[i]), "\(context) at \(i)") }
        let after = y.snapshot
        for i in before.indices where !covered.contains(i) { #expect(before[i] == after[i], "\(context)") }
    }
}

@Suite struct GEMVTests {
    @Test func randomDouble() throws { try randomGEMV(Double.self, seed: 11, cases: 400) }
    @Test func randomFloat() throws { try randomGEMV(Float.self, seed: 12, cases: 400) }

    @Test func errors() throws {
        var rng = SplitMix64(seed: 13)
        let a = Operand<Double>(rows: 2, columns: 3, kind: .rowMajor, rng: &rng)
        let x4 = Vector<Double>(count: 4, stride: 1, rng: &rng)
        let x3 = Vector<Double>(count: 3, stride: 1, rng: &rng)
        let y2 = Vector<Double>(count: 2, stride: 1, rng: &rng)
        let y5 = Vector<Double>(count: 5, stride: 1, rng: &rng)
        expectError(.shapeMismatch, "gemv: shapes (2, 3) and (4,) not aligned: 3 (dim 1) != 4 (dim 0)") {
            try gemv(a.view, x4.view, into: y2.mutableView)
        }
        expectError(.shapeMismatch, "gemv: y has length 5, expected 2") {
            try gemv(a.view, x3.view, into: y5.mutableView)
        }
        let y0 = Vector<Double>(count: 2, stride: 0, rng: &rng)
        expectError(.overlappingOutput) { try gemv(a.view, x3.view, into: y0.mutableView) }
    }

    @Test func outputAliasingInputVector() throws {
        // y = A·y with y used as x too: x must be read before y is written.
        var rng = SplitMix64(seed: 14)
        let a = Operand<Double>(rows: 3, columns: 3, kind: .columnMajor, rng: &rng)
        let v = Vector<Double>(count: 3, stride: 2, rng: &rng)
        let old = v.values
        try gemv(a.view, v.view, into: v.mutableView)
        for i in 0..<3 {
            let e = (0..<3).reduce(0.0) { $0 + a[i, $1] * old[$1] }
            #expect(abs(v[i] - e) < 1e-12)
        }
    }
}

import BLAS
import Testing

func randomLevel1<T: BLASScalar>(_: T.Type, seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    for count in [0, 1, 2, 3, 7, 16, 33, 100] {
        for stride in [1, 2, -1, -3] {
            let x = Vector<T>(count: count, stride: stride, rng: &rng)
            let ys = [1, -2, 3].randomElement(using: &rng)!
            let y = Vector<T>(count: count, stride: ys, rng: &rng)
            let xv = x.values.map(Double.init), yv = y.values.map(Double.init)
            let mag = zip(xv, yv).reduce(0.0) { $0 + abs($1.0 * $1.1) }
            let d = try dot(x.view, y.view)
            #expect(close(d, zip(xv, yv).reduce(0.0) { $0 + $1.0 * $1.1 }, scale: mag), "dot n=\(count) incx=\(stride) incy=\(ys)")

            #expect(close(try euclideanNorm(x.view), xv.reduce(0.0) { $0 + $1 * $1 }.squareRoot(), scale: 1))
            #expect(close(try absoluteSum(x.view), xv.reduce(0.0) { $0 + abs($1) }, scale: Double(count)))
            let expectedIndex = xv.indices.max { abs(xv[$0]) < abs(xv[$1]) || (abs(xv[$0]) == abs(xv[$1]) && $0 > $1) }
            #expect(try indexOfMaxMagnitude(x.view) == expectedIndex, "iamax n=\(count) inc=\(stride)")

            let yBefore = y.snapshot, covered = y.covered
            try axpy(alpha: T(0.5), x.view, into: y.mutableView)
            for i in 0..<count { #expect(close(y[i], yv[i] + 0.5 * xv[i], scale: 2), "axpy n=\(count)") }
            for i in yBefore.indices where !covered.contains(i) { #expect(yBefore[i] == y.snapshot[i]) }

            try scale(x.mutableView, by: T(-2))
            for i in 0..<count { #expect(x[i] == T(-2) * T(xv[i])) }
        }
    }
}

@Suite struct Level1Tests {
    @Test func randomDouble() throws { try randomLevel1(Double.self, seed: 21) }
    @Test func randomFloat() throws { try randomLevel1(Float.self, seed: 22) }

    @Test func iamaxIsZeroBasedAndPicksTheFirstTie() throws {
        let values: [Double] = [1, -5, 3, 5, -5]
        try values.withUnsafeBufferPointer { b throws in
            #expect(try indexOfMaxMagnitude(VectorView(b)) == 1)
            // Reversed (negative stride): view order is [-5, 5, 3, -5, 1] → first tie is 0.
            let reversed = try VectorView(start: b.baseAddress! + 4, count: 5, stride: -1)
            #expect(try indexOfMaxMagnitude(reversed) == 0)
            #expect(try indexOfMaxMagnitude(VectorView<Double>(start: nil, count: 0)) == nil)
        }
        let floats: [Float] = [0, 2, -7]
        try floats.withUnsafeBufferPointer { b throws in #expect(try indexOfMaxMagnitude(VectorView(b)) == 2) }
    }

    @Test func zeroStrideInputIsBroadcast() throws {
        var one = 2.0
        let values: [Double] = [1, 2, 3]
        try withUnsafeMutablePointer(to: &one) { p throws in
            let broadcast = try VectorView<Double>(start: p, count: 3, stride: 0)
            #expect(!broadcast.isBLASCompatible)
            try values.withUnsafeBufferPointer { b throws in
                #expect(try dot(broadcast, VectorView(b)) == 12)
                #expect(try absoluteSum(broadcast) == 6)
                #expect(try indexOfMaxMagnitude(broadcast) == 0)
            }
            let out = try MutableVectorView<Double>(start: p, count: 3, stride: 0)
            expectError(.overlappingOutput) { try scale(out, by: 2) }
            var ys: [Double] = [0, 0, 0]
            try ys.withUnsafeMutableBufferPointer { try axpy(alpha: 1, broadcast, into: MutableVectorView($0)) }
            #expect(ys == [2, 2, 2])
            try values.withUnsafeBufferPointer { b throws in
                expectError(.overlappingOutput) { try axpy(alpha: 1, VectorView(b), into: out) }
            }
        }
    }

    @Test func axpyWithShiftedOverlap() throws {
        // y = x shifted by one element in the same array: x must be read before writes.
        var data: [Double] = [1, 2, 3, 4]
        try data.withUnsafeMutableBufferPointer { b in
            let x = try VectorView(start: UnsafePointer(b.baseAddress!), count: 3)
            let y = try MutableVectorView(start: b.baseAddress! + 1, count: 3)
            try axpy(alpha: 10, x, into: y)
        }
        #expect(data == [1, 12, 23, 34])
        // Exactly the same view: in place is fine (y = y + a·y).
        try data.withUnsafeMutableBufferPointer { b in
            try axpy(alpha: 1, VectorView(UnsafeBufferPointer(b)), into: MutableVectorView(b))
        }
        #expect(data == [2, 24, 46, 68])
    }

    @Test func errors() throws {
        let a: [Float] = [1, 2, 3], b: [Float] = [1, 2]
        try a.withUnsafeBufferPointer { pa throws in
            try b.withUnsafeBufferPointer { pb throws in
                expectError(.shapeMismatch, "dot: y has length 2, expected 3") { _ = try dot(VectorView(pa), VectorView(pb)) }
                var out: [Float] = [0, 0]
                out.withUnsafeMutableBufferPointer { po in
                    expectError(.shapeMismatch) { try axpy(alpha: 1, VectorView(pa), into: MutableVectorView(po)) }
                }
            }
        }
        var x = 1.0
        withUnsafeMutablePointer(to: &x) { p in
            expectError(.tooLarge, "dot: dimension 2147483648 exceeds the CBLAS limit 2147483647") {
                let v = try VectorView<Double>(start: p, count: Int(Int32.max) + 1, stride: 0)
                _ = try dot(v, v)
            }
            expectError(.tooLarge) {
                _ = try euclideanNorm(try VectorView<Double>(start: p, count: Int(Int32.max) + 1, stride: 0))
            }
        }
    }

    @Test func misalignedVector() throws {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: 8 * 3 + 1, alignment: 8)
        defer { raw.deallocate() }
        for (i, v) in [3.0, -4.0, 12.0].enumerated() { raw.storeBytes(of: v, toByteOffset: 1 + 8 * i, as: Double.self) }
        let x = try VectorView<Double>(bytes: raw + 1, count: 3, byteStride: 8)
        #expect(!x.isBLASCompatible)
        #expect(try euclideanNorm(x) == 13)
        #expect(try indexOfMaxMagnitude(x) == 2)
        try scale(try MutableVectorView<Double>(bytes: raw + 1, count: 3, byteStride: 8), by: 2)
        #expect(x.toArray() == [6, -8, 24])
    }
}

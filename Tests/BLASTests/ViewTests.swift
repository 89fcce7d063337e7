import BLAS
import Testing

@Suite struct ViewTests {
    let storage = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 64)

    @Test func layoutClassification() throws {
        let p = storage
        func layout(_ r: Int, _ c: Int, _ rs: Int, _ cs: Int) throws -> MatrixLayout {
            try MatrixView<Double>(bytes: p, rows: r, columns: c, rowByteStride: rs * 8, columnByteStride: cs * 8).layout
        }
        #expect(try layout(3, 4, 4, 1) == .rowMajor(leadingDimension: 4))
        #expect(try layout(3, 4, 6, 1) == .rowMajor(leadingDimension: 6))
        #expect(try layout(3, 4, 1, 3) == .columnMajor(leadingDimension: 3))
        #expect(try layout(3, 4, 1, 5) == .columnMajor(leadingDimension: 5))
        #expect(try layout(3, 4, 8, 2) == .strided)  // non-unit inner stride
        #expect(try layout(3, 4, 2, 1) == .strided)  // rows overlap: ld < columns
        #expect(try layout(3, 4, 0, 1) == .strided)  // broadcast rows
        #expect(try layout(1, 5, 999, 1) == .rowMajor(leadingDimension: 5))  // 1×N: row stride unused
        #expect(try layout(5, 1, 1, 999) == .rowMajor(leadingDimension: 1))  // N×1 contiguous
        #expect(try layout(5, 1, 7, 0) == .rowMajor(leadingDimension: 7))  // N×1, lda 7
        #expect(try layout(1, 1, 0, 0) == .rowMajor(leadingDimension: 1))
        #expect(try layout(0, 5, 0, 0) == .rowMajor(leadingDimension: 5))
        #expect(try layout(3, 4, 1, 2) == .strided)  // columns overlap
        let negative = try MatrixView<Double>(bytes: p + 800, rows: 3, columns: 4, rowByteStride: -32, columnByteStride: -8)
        #expect(negative.layout == .strided)
        #expect(try MatrixView<Double>(bytes: p + 4, rows: 2, columns: 2, rowByteStride: 16, columnByteStride: 8).layout == .strided)
        #expect(negative.transposed.rows == 4 && negative.transposed.rowStride == -1)
        #expect(try layout(3, 4, 4, 1) == (try layout(4, 3, 1, 4)).transposedForTest)
    }

    @Test func validationErrors() throws {
        let p = storage
        expectError(.invalidStride) { _ = try MatrixView<Double>(bytes: p, rows: 2, columns: 2, rowByteStride: 12, columnByteStride: 8) }
        expectError(.invalidStride) { _ = try VectorView<Float>(bytes: p, count: 2, byteStride: 6) }
        expectError(.invalidShape) { _ = try MatrixView<Double>(bytes: p, rows: -1, columns: 2, rowByteStride: 16, columnByteStride: 8) }
        expectError(.invalidShape) { _ = try VectorView<Double>(bytes: p, count: -1, byteStride: 8) }
        expectError(.invalidShape) { _ = try MatrixView<Double>(bytes: nil, rows: 1, columns: 2, rowByteStride: 16, columnByteStride: 8) }
        expectError(.invalidStride) { _ = try MatrixView<Double>(bytes: p, rows: 3, columns: 2, rowByteStride: Int.max - 7, columnByteStride: 8) }
        expectError(.invalidStride) { _ = try MatrixView<Double>(bytes: p, rows: 2, columns: 2, rowByteStride: -1 << 62, columnByteStride: 8) }
        expectError(.invalidStride) { _ = try MatrixView<Double>(start: nil, rows: 1, columns: 2, rowStride: 1, columnStride: Int.max / 2) }
        expectError(.tooLarge) { _ = try MatrixView<Double>(bytes: p, rows: Int.max, columns: 2, rowByteStride: 0, columnByteStride: 0) }
        expectError(.shapeMismatch) {
            let a: [Double] = [1, 2, 3]
            try a.withUnsafeBufferPointer { _ = try MatrixView($0, rows: 2, columns: 2) }
        }
        // Unused strides (extent-1 dimensions) and empty views are not validated.
        _ = try MatrixView<Double>(bytes: p, rows: 1, columns: 1, rowByteStride: 3, columnByteStride: Int.min)
        _ = try MatrixView<Double>(bytes: nil, rows: 0, columns: 3, rowByteStride: 5, columnByteStride: 5)
        _ = try VectorView<Double>(bytes: nil, count: 0, byteStride: 3)
    }

    @Test func copyHelpers() throws {
        let values = (0..<12).map(Double.init)
        try values.withUnsafeBufferPointer { b throws in
            // Every other column of a 3×8 row-major matrix, reversed rows: needs a copy.
            let strided = try MatrixView(start: b.baseAddress! + 8, rows: 3, columns: 2, rowStride: -4, columnStride: 2)
            #expect(strided.layout == .strided)
            let copied = Matrix(copying: strided)
            #expect(copied.elements == [8, 10, 4, 6, 0, 2])
            #expect(copied.withView { $0.layout } == .rowMajor(leadingDimension: 2))
            var out = [Double](repeating: -1, count: 12)
            try out.withUnsafeMutableBufferPointer { o in
                let dst = try MutableMatrixView(start: o.baseAddress!, rows: 3, columns: 2, rowStride: 1, columnStride: 6)
                try copy(strided, into: dst)
            }
            #expect(out == [8, 4, 0, -1, -1, -1, 10, 6, 2, -1, -1, -1])
            var v = [Double](repeating: 0, count: 4)
            try v.withUnsafeMutableBufferPointer { o in
                try copy(try VectorView(start: b.baseAddress! + 11, count: 4, stride: -3), into: MutableVectorView(o))
            }
            #expect(v == [11, 8, 5, 2])
        }
        var m = try Matrix<Double>(rows: 2, columns: 2)
        m.withMutableView { dst in
            values.withUnsafeBufferPointer { b in
                expectError(.shapeMismatch) { try copy(try MatrixView(start: b.baseAddress!, rows: 3, columns: 1, rowStride: 1, columnStride: 1), into: dst) }
            }
        }
    }

    @Test func flopCounts() {
        #expect(flops(m: 2, n: 3, k: 4) == 48)
        #expect(flops(m: 2, n: 3) == 12)
        #expect(flops(m: 0, n: 3, k: 4) == 0)
        #expect(flops(m: -1, n: 3, k: 4) == 0)
        #expect(flops(m: Int.max, n: 2, k: 2) == Int.max)
    }
}

extension MatrixLayout {
    var transposedForTest: MatrixLayout {
        switch self {
        case .rowMajor(let ld): .columnMajor(leadingDimension: ld)
        case .columnMajor(let ld): .rowMajor(leadingDimension: ld)
        case .strided: .strided
        }
    }
}

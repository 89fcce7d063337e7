import BLAS
import Testing

/// Deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Memory layouts a test operand can have.
enum Kind: CaseIterable, CustomStringConvertible {
    case rowMajor, rowMajorPadded, columnMajor, columnMajorPadded, strided, negative, reversedRows

    var description: String {
        switch self {
        case .rowMajor: "rowMajor"
        case .rowMajorPadded: "rowMajorPadded"
        case .columnMajor: "columnMajor"
        case .columnMajorPadded: "columnMajorPadded"
        case .strided: "strided"
        case .negative: "negative"
        case .reversedRows: "reversedRows"
        }
    }

    func strides(rows: Int, columns: Int) -> (Int, Int) {
        switch self {
        case .rowMajor: (columns, 1)
        case .rowMajorPadded: (columns + 3, 1)
        case .columnMajor: (1, rows)
        case .columnMajorPadded: (1, rows + 2)
        case .strided: (2 * columns * 2 + 1, 2)
        case .negative: (-columns, -1)
        case .reversedRows: (-columns, 1)
        }
    }
}

/// A test operand: random values in a padded allocation with the given strides. Padding is
/// filled too, so tests can check that routines never write outside the view.
final class Operand<T: BLASScalar> {
    let storage: UnsafeMutableBufferPointer<T>
    let rows: Int, columns: Int, rowStride: Int, columnStride: Int, offset: Int

    init(rows: Int, columns: Int, rowStride: Int, columnStride: Int, rng: inout SplitMix64) {
        self.rows = rows
        self.columns = columns
        self.rowStride = rowStride
        self.columnStride = columnStride
        let r = max(rows - 1, 0), c = max(columns - 1, 0)
        let low = min(0, r * rowStride) + min(0, c * columnStride)
        let high = max(0, r * rowStride) + max(0, c * columnStride)
        storage = .allocate(capacity: high - low + 4)
        for i in storage.indices { storage[i] = T(Double.random(in: -1...1, using: &rng)) }
        offset = -low + 2
    }

    convenience init(rows: Int, columns: Int, kind: Kind, rng: inout SplitMix64) {
        let (rs, cs) = kind.strides(rows: rows, columns: columns)
        self.init(rows: rows, columns: columns, rowStride: rs, columnStride: cs, rng: &rng)
    }

    deinit { storage.deallocate() }

    var start: UnsafeMutablePointer<T> { storage.baseAddress! + offset }

    var view: MatrixView<T> {
        try! MatrixView(start: start, rows: rows, columns: columns, rowStride: rowStride, columnStride: columnStride)
    }

    var mutableView: MutableMatrixView<T> {
        try! MutableMatrixView(start: start, rows: rows, columns: columns, rowStride: rowStride, columnStride: columnStride)
    }

    subscript(i: Int, j: Int) -> T {
        get { start[i * rowStride + j * columnStride] }
        set { start[i * rowStride + j * columnStride] = newValue }
    }

    /// Indices of `storage` the view covers.
    var covered: Set<Int> {
        var s = Set<Int>()
        for i in 0..<rows { for j in 0..<columns { s.insert(offset + i * rowStride + j * columnStride) } }
        return s
    }

    var snapshot: [T] { Array(storage) }
}

/// A strided test vector.
final class Vector<T: BLASScalar> {
    let storage: UnsafeMutableBufferPointer<T>
    let count: Int, stride: Int, offset: Int

    init(count: Int, stride: Int, rng: inout SplitMix64) {
        self.count = count
        self.stride = stride
        let span = max(count - 1, 0) * abs(stride)
        storage = .allocate(capacity: span + 3)
        for i in storage.indices { storage[i] = T(Double.random(in: -1...1, using: &rng)) }
        offset = (stride < 0 ? span : 0) + 1
    }

    deinit { storage.deallocate() }

    var start: UnsafeMutablePointer<T> { storage.baseAddress! + offset }
    var view: VectorView<T> { try! VectorView(start: start, count: count, stride: stride) }
    var mutableView: MutableVectorView<T> { try! MutableVectorView(start: start, count: count, stride: stride) }
    subscript(i: Int) -> T {
        get { start[i * stride] }
        set { start[i * stride] = newValue }
    }
    var values: [T] { (0..<count).map { self[$0] } }
    var covered: Set<Int> { Set((0..<count).map { offset + $0 * stride }) }
    var snapshot: [T] { Array(storage) }
}

func tolerance<T: BLASScalar>(_: T.Type) -> Double { T.self == Float.self ? 2e-5 : 1e-13 }

/// |got − expected| within a relative tolerance of the magnitude that went into it.
func close<T: BLASScalar>(_ got: T, _ expected: Double, scale: Double) -> Bool {
    abs(Double(got) - expected) <= tolerance(T.self) * (scale + 1)
}

func expectError(_ kind: BLASError.Kind, _ message: String? = nil, _ body: () throws -> Void,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected \(kind) error", sourceLocation: sourceLocation)
    } catch let error as BLASError {
        #expect(error.kind == kind, sourceLocation: sourceLocation)
        if let message { #expect(error.message == message, sourceLocation: sourceLocation) }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

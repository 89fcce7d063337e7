/// An owning, contiguous, row-major matrix: results and inputs for Swift users.
///
/// Value semantics (copy-on-write through its array). The routines work on views; use
/// ``withView(_:)`` and ``withMutableView(_:)`` to pass a matrix to them.
public struct Matrix<Element: BLASScalar>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements in row-major order (`rows · columns` of them).
    public private(set) var elements: [Element]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Element = 0) throws(BLASError) {
        let count = try Self.count(rows, columns)
        self.rows = rows
        self.columns = columns
        elements = Array(repeating: value, count: count)
    }

    /// A `rows × columns` matrix holding `elements` in row-major order.
    public init(rows: Int, columns: Int, elements: [Element]) throws(BLASError) {
        let count = try Self.count(rows, columns)
        guard elements.count == count else {
            throw BLASError(
                .shapeMismatch,
                "\(elements.count) elements cannot fill a (\(rows), \(columns)) matrix")
        }
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A contiguous copy of any view (the copy helper for strided, reversed or misaligned
    /// operands).
    public init(copying view: MatrixView<Element>) {
        rows = view.rows
        columns = view.columns
        elements = unsafe Array(unsafeUninitializedCapacity: view.count) { buffer, initialized in
            // SAFETY: the buffer has room for rows·columns elements, all initialised by
            // _gather (whose loops are empty when count is 0 and the base may be nil).
            if let base = buffer.baseAddress { unsafe _gather(view, into: base) }
            initialized = view.count
        }
    }

    private static func count(_ rows: Int, _ columns: Int) throws(BLASError) -> Int {
        guard rows >= 0, columns >= 0 else {
            throw BLASError(.invalidShape, "matrix shape (\(rows), \(columns)) has a negative dimension")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        if overflow {
            throw BLASError(.tooLarge, "matrix shape (\(rows), \(columns)) has too many elements")
        }
        return count
    }

    /// Element (row, column). Traps when out of range, like `Array`'s subscript.
    public subscript(row: Int, column: Int) -> Element {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "index out of range")
            return elements[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "index out of range")
            elements[row * columns + column] = newValue
        }
    }

    /// The transpose, copied.
    public var transposed: Matrix<Element> {
        withView { Matrix(copying: $0.transposed) }
    }

    /// Calls `body` with a row-major view of the elements, valid only during the call.
    public func withView<R, E: Error>(_ body: (MatrixView<Element>) throws(E) -> R) throws(E) -> R {
        let (rows, columns) = (self.rows, self.columns)
        return unsafe try elements.withUnsafeBufferPointer { (buffer) throws(E) -> R in
            // SAFETY (try!): the buffer holds exactly rows·columns elements, checked at init.
            unsafe try body(try! MatrixView(buffer, rows: rows, columns: columns))
        }
    }

    /// Calls `body` with a writable row-major view of the elements, valid only during the call.
    public mutating func withMutableView<R, E: Error>(
        _ body: (MutableMatrixView<Element>) throws(E) -> R
    ) throws(E) -> R {
        let (rows, columns) = (self.rows, self.columns)
        return unsafe try elements.withUnsafeMutableBufferPointer { (buffer) throws(E) -> R in
            // SAFETY (try!): the buffer holds exactly rows·columns elements, checked at init.
            unsafe try body(try! MutableMatrixView(buffer, rows: rows, columns: columns))
        }
    }
}

/// `A·B` as a new matrix (numpy's `a @ b` for 2-D operands).
///
/// The corresponding C functions are `cblas_sgemm` and `cblas_dgemm`.
public func matmul<T: BLASScalar>(_ a: Matrix<T>, _ b: Matrix<T>) throws(BLASError) -> Matrix<T> {
    var c = try Matrix<T>(rows: a.rows, columns: b.columns)
    try a.withView { (va) throws(BLASError) in
        try b.withView { (vb) throws(BLASError) in
            try c.withMutableView { (vc) throws(BLASError) in try matmul(va, vb, into: vc) }
        }
    }
    return c
}

/// The error every routine of the BLAS layer throws instead of trapping.
///
/// Inputs come from Python buffers (any shape, any strides), and a Swift trap would abort
/// the whole interpreter, so every invalid argument is reported as a value. The Python layer
/// maps ``kind`` to an exception type (e.g. ``Kind/allocationFailed`` → `MemoryError`,
/// everything else → `ValueError`) and uses ``message`` as the exception text.
public struct BLASError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that map errors to exception types.
    public enum Kind: Sendable, Equatable {
        /// Operand shapes do not agree (inner dimensions, output shape, vector lengths).
        case shapeMismatch
        /// A dimension is negative, or a data pointer is null for a non-empty operand.
        case invalidShape
        /// A stride is not a multiple of the element size, or the operand's address range
        /// does not fit in the address space.
        case invalidStride
        /// A dimension does not fit in the 32-bit integers CBLAS takes, or a size overflows.
        case tooLarge
        /// An output operand has elements that share memory (e.g. a zero stride), so the
        /// result would be ill-defined.
        case overlappingOutput
        /// A temporary copy could not be allocated.
        case allocationFailed
    }

    /// What went wrong.
    public let kind: Kind
    /// A human-readable explanation, e.g.
    /// `gemm: shapes (2, 3) and (4, 5) not aligned: 3 (dim 1) != 4 (dim 0)`.
    public let message: String

    /// Creates an error of the given kind with its message.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

// Error factories. They are deliberately NOT inlinable: string formatting stays out of the
// inlined fast paths, which only pay for a call when they actually throw.
extension BLASError {
    @usableFromInline
    static func notAligned(
        _ routine: StaticString, _ a: (Int, Int), _ b: (Int, Int)
    ) -> BLASError {
        BLASError(
            .shapeMismatch,
            "\(routine): shapes (\(a.0), \(a.1)) and (\(b.0), \(b.1)) not aligned: "
                + "\(a.1) (dim 1) != \(b.0) (dim 0)")
    }

    @usableFromInline
    static func outputShape(
        _ routine: StaticString, expected: (Int, Int), got: (Int, Int)
    ) -> BLASError {
        BLASError(
            .shapeMismatch,
            "\(routine): output shape (\(got.0), \(got.1)) does not match the result shape "
                + "(\(expected.0), \(expected.1))")
    }

    @usableFromInline
    static func lengthMismatch(
        _ routine: StaticString, _ what: String, expected: Int, got: Int
    ) -> BLASError {
        BLASError(
            .shapeMismatch,
            "\(routine): \(what) has length \(got), expected \(expected)")
    }

    @usableFromInline
    static func matmulCore(operand: String, dimension: Int, size: Int, expected: Int) -> BLASError {
        BLASError(
            .shapeMismatch,
            "matmul: \(operand) has a mismatch in its core dimension \(dimension), with gufunc "
                + "signature (n?,k),(k,m?)->(n?,m?) (size \(size) is different from \(expected))")
    }

    @usableFromInline
    static func tooLarge(_ routine: StaticString, _ value: Int) -> BLASError {
        BLASError(
            .tooLarge,
            "\(routine): dimension \(value) exceeds the CBLAS limit \(Int32.max)")
    }

    @usableFromInline
    static func overlappingOutput(_ routine: StaticString) -> BLASError {
        BLASError(
            .overlappingOutput,
            "\(routine): the output operand has elements that share memory (e.g. a zero stride)")
    }
}

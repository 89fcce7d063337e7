import BLAS
import SwiftPy

/// How errors of the BLAS layer reach Python: a failed temporary allocation is a
/// `MemoryError`, everything else (shapes, strides, sizes, overlapping outputs) is a
/// `ValueError` carrying the layer's message, e.g.
/// `gemm: shapes (2, 3) and (4, 5) not aligned: 3 (dim 1) != 4 (dim 0)`.
extension BLASError: PythonExceptionConvertible {
    public var pythonException: PyException {
        switch kind {
        case .allocationFailed: PyException.memoryError(message)
        case .shapeMismatch, .invalidShape, .invalidStride, .tooLarge, .overlappingOutput:
            PyException.valueError(message)
        }
    }
}

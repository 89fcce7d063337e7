import SwiftPy
import Zlib

/// The Zlib layer's errors become the exceptions CPython's `zlib` raises, with its text
/// (`ZlibError.description` is CPython's message).
extension ZlibError: PythonExceptionConvertible {
    public var pythonException: PyException {
        switch kind {
        case .zlib: PyException(.module("error"), description)
        case .invalidArgument: .valueError(description)
        case .outOfMemory: .memoryError(description)
        case .overflow: .overflowError(description)
        case .endOfStream: PyException(.eofError, description)
        }
    }
}

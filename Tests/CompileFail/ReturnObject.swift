// Nothing Python-owned can come OUT of a detached closure either: results are Sendable.
import SwiftPy

func returnsObject(_ py: Python) -> PyObjectRef {
    py.detach { () -> PyObjectRef in fatalError() }
}
// expect-error: conformance of 'PyObjectRef' to 'Sendable' is unavailable

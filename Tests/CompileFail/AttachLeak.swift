// Python objects cannot escape an attach block (they would be released without the GIL).
import SwiftPy

func leaksFromAttach() throws -> PyObjectRef {
    try Python.attach { py in py.none }
}
// expect-error: conformance of 'PyObjectRef' to 'Sendable' is unavailable

// Owned Python objects cannot be used while the GIL is released.
import SwiftPy

func capturesObject(_ py: Python, _ object: PyObjectRef) -> Int {
    py.detach { object.pointer.hashValue }
}
// expect-error: capture of 'object' with non-Sendable type 'PyObjectRef' in a '@Sendable' closure

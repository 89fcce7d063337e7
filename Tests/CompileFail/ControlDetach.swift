// The allowed patterns: plain Sendable values in, Sendable values out, buffers through
// PyBuffer.detach, Python objects only before and after.
import SwiftPy

func allowed(_ py: Python, _ buffer: PyBuffer, _ object: PyObjectRef) throws -> Int {
    let size = buffer.byteCount
    let doubled = py.detach { size * 2 }
    let summed = try buffer.detach(py) { span in span.byteCount }
    _ = object.pointer
    return doubled + summed
}

// The spans lent by detach(reading:writing:) cannot leave the detached closure.
import SwiftPy

nonisolated(unsafe) var kept: [UInt8] = []

func leak(_ py: Python, _ a: PyBuffer) throws -> Int {
    try py.detach(reading: [a]) { buffers in
        let span = buffers.reading(0)
        let escape: () -> Int = { span.byteCount }
        return escape()
    }
}
// expect-error: lifetime-dependent variable 'span' escapes its scope

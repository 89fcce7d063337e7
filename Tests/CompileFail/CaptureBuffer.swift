// A buffer view must be released with the GIL held, so it cannot be captured; read its
// bytes through PyBuffer.detach instead.
import SwiftPy

func capturesBuffer(_ py: Python, _ buffer: PyBuffer) -> Int {
    py.detach { buffer.byteCount }
}
// expect-error: capture of 'buffer' with non-Sendable type 'PyBuffer' in a '@Sendable' closure

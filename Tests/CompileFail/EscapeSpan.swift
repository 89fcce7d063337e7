// The span of a pinned buffer cannot outlive the detached call: it is non-escapable, so
// it can be neither returned nor stored.
import SwiftPy

func escapesSpan(_ py: Python, _ buffer: PyBuffer) throws {
    let kept: RawSpan = try buffer.detach(py) { span in span }
    _ = kept
}
// expect-error: Escapable

// The token cannot be sent to another thread.
import Dispatch
import SwiftPy

func sendsToken(_ py: Python) {
    DispatchQueue.global().async { _ = py.none }
}
// expect-error: capture of 'py' with non-Sendable type 'Python' in a '@Sendable' closure

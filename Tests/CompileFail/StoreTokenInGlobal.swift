// A builtin cannot park its token in a global for later use.
import SwiftPy

nonisolated(unsafe) var saved: Any? = nil

func keep(_ py: Python) {
    saved = py
}
// expect-error: cannot assign value of type 'Python' to type 'Any?'

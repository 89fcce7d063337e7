// An escaping closure (a callback stored for later) cannot capture the token.
import SwiftPy

nonisolated(unsafe) var callbacks: [() -> Void] = []

func register(_ py: Python) {
    callbacks.append { _ = py.none }
}
// expect-error: lifetime-dependent variable 'py' escapes its scope

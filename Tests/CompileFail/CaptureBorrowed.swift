// Borrowed handles (a builtin's arguments) cannot either.
import SwiftPy

func capturesBorrowed(_ py: Python, _ argument: PyBorrowedRef) -> Bool {
    py.detach { argument.isNone }
}
// expect-error: capture of 'argument' with non-Sendable type 'PyBorrowedRef' in a '@Sendable' closure

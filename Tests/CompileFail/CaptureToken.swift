// The Python token proves THIS thread holds the GIL; it cannot enter a detached closure.
import SwiftPy

func capturesToken(_ py: Python) -> Int {
    py.detach {
        _ = py.none  // touching Python without the GIL
        return 1
    }
}
// expect-error: capture of 'py' with non-Sendable type 'Python' in a '@Sendable' closure

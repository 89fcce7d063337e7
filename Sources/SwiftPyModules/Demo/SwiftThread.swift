import Dispatch
import SwiftPy

/// Monotonic time for the demo's spin loop.
enum DemoClock {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// The result of a call made on another thread, handed back through a semaphore.
private final class ResultBox: @unchecked Sendable {
    // SAFETY: written by the worker before `done.signal()`, read after `done.wait()`.
    var value: Result<PyObjectRef, any Error> = .failure(AttachError.notInitialized)
    let done = DispatchSemaphore(value: 0)
}

/// A Python object that crosses to another thread, which only touches it after
/// attaching. This is the one escape hatch the demo needs; it is not public API.
private struct AttachedOnly: @unchecked Sendable {
    // SAFETY: the object is kept alive by the waiting caller and used only inside
    // Python.attach on the worker thread.
    let object: PyObjectRef
}

/// Runs `fn()` on a Dispatch thread that attaches to the interpreter, while this thread
/// waits detached (holding the GIL while waiting would deadlock the worker).
func callOnSwiftThread(_ fn: PyObjectRef, _ py: Python) throws -> PyObjectRef {
    let box = ResultBox()
    let callable = AttachedOnly(object: fn)
    py.detach {
        DispatchQueue.global().async {
            box.value = Result {
                try Python.attach { py in try py.call(callable.object.borrowed) }
            }
            box.done.signal()
        }
        box.done.wait()
    }
    return try box.value.get()
}

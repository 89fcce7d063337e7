import Dispatch
import SwiftPy

/// Monotonic time for the demo's spin loop.
enum DemoClock {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// The result of a call made on another thread, handed back through a semaphore.
private final class ResultBox: @unchecked Sendable {
    // SAFETY: written by the worker before `done.signal()`, read after `done.wait()`.
    // It holds a raw NEW reference, not a PyObjectRef: whichever thread drops the box
    // last must not be the one releasing a Python object without the GIL.
    var value: Result<AttachedOnly, any Error> = .failure(AttachError.notInitialized)
    let done = DispatchSemaphore(value: 0)
}

/// An object pointer that crosses threads, only dereferenced while attached. Three uses:
/// `callOnSwiftThread`'s callable (borrowed: the caller keeps it alive until the worker
/// signals) and result (a new reference the caller adopts), and `startOnSwiftThread`'s
/// callable (a new reference the worker adopts and releases while attached). This is the
/// one escape hatch the demo needs; it is not public API.
@safe private struct AttachedOnly: @unchecked Sendable {
    // SAFETY: see above; whoever owns the reference releases it with the GIL held.
    let pointer: PyPointer
}

/// Runs `fn()` on a Dispatch thread that attaches to the interpreter, while this thread
/// waits detached (holding the GIL while waiting would deadlock the worker).
func callOnSwiftThread(_ fn: PyObjectRef, _ py: Python) throws -> PyObjectRef {
    let box = ResultBox()
    let callable = unsafe AttachedOnly(pointer: fn.pointer)
    let interpreter = py.interpreter  // the worker enters THIS interpreter (maybe a subinterpreter)
    withExtendedLifetime(fn) {
        py.detach {
            DispatchQueue.global().async {
                box.value = Result {
                    try Python.attach(to: interpreter) { py in unsafe AttachedOnly(pointer: try py.call(PyBorrowedRef(callable.pointer)).newReference()) }
                }
                box.done.signal()
            }
            box.done.wait()
        }
    }
    return unsafe PyObjectRef(owned: try box.value.get().pointer)
}

/// Starts `fn()` on a Dispatch thread that attaches to the interpreter, without waiting:
/// the shape of a C library's callback thread. The worker owns a new reference to `fn`
/// and releases it while attached; if attaching is refused (the interpreter is exiting),
/// the reference is leaked rather than released without the GIL.
func startOnSwiftThread(_ fn: PyObjectRef, _ py: Python) {
    _ = py  // the token: this thread holds the GIL, as `newReference()` requires
    let callable = unsafe AttachedOnly(pointer: fn.newReference())
    DispatchQueue.global().async {
        _ = try? Python.attach { py in
            let fn = unsafe PyObjectRef(owned: callable.pointer)
            _ = try? py.call(fn)
        }
    }
}

import CPython

/// Why ``Python/attach(_:)`` could not run its closure.
public enum AttachError: Error, Equatable, CustomStringConvertible, PythonExceptionConvertible {
    /// No interpreter is running (never started, or already finalized).
    case notInitialized
    /// The interpreter is shutting down: taking the GIL now could block forever or end
    /// the calling thread (CPython exits non-Python threads that try), so SwiftPy refuses.
    case finalizing

    /// Raised in Python as `RuntimeError` with the description.
    public var pythonException: PyException { .runtimeError(description) }

    public var description: String {
        switch self {
        case .notInitialized: "the Python interpreter is not running"
        case .finalizing: "the Python interpreter is shutting down"
        }
    }
}

extension Python {
    /// Runs `body` attached to the interpreter, from any thread: a Dispatch worker, a
    /// Swift concurrency task, a C library's callback thread. Reentrant: on a thread that
    /// already holds the GIL it just runs `body`.
    ///
    /// During or after interpreter finalization it throws ``AttachError`` instead of
    /// hanging or crashing: from the moment `atexit` handlers run (see `ShutdownFlag`),
    /// and after `Py_Finalize`. A thread already blocked waiting for the GIL when the
    /// final shutdown starts is still ended by CPython; no API before 3.14 avoids that.
    ///
    /// The result must be `Sendable`, so no Python object can outlive the attachment and
    /// be released later by a thread without the GIL.
    ///
    /// The corresponding C functions are `PyGILState_Ensure` and `PyGILState_Release`.
    public static func attach<T: Sendable>(_ body: (Python) throws -> T) throws -> T {
        guard Py_IsInitialized() != 0 else { throw AttachError.notInitialized }
        guard swiftpy_is_finalizing() == 0, !ShutdownFlag.started.load(ordering: .acquiring) else {
            throw AttachError.finalizing
        }
        let state = PyGILState_Ensure()
        defer { PyGILState_Release(state) }
        return try body(Python(module: nil))
    }
}

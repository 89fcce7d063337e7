import CPython

/// Why ``Python/attach(_:)`` could not run its closure.
public enum AttachError: Error, Equatable, CustomStringConvertible {
    /// No interpreter is running (never started, or already finalized).
    case notInitialized
    /// The interpreter is shutting down: taking the GIL now could block forever or end
    /// the calling thread (CPython exits non-Python threads that try), so SwiftPy refuses.
    case finalizing

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
    /// hanging or crashing. (A race remains only if finalization begins between the
    /// check and the GIL hand-off, a window CPython itself offers no way to close before
    /// 3.14.)
    ///
    /// The result must be `Sendable`, so no Python object can outlive the attachment and
    /// be released later by a thread without the GIL.
    ///
    /// The corresponding C functions are `PyGILState_Ensure` and `PyGILState_Release`.
    public static func attach<T: Sendable>(_ body: (Python) throws -> T) throws -> T {
        guard Py_IsInitialized() != 0 else { throw AttachError.notInitialized }
        guard swiftpy_is_finalizing() == 0 else { throw AttachError.finalizing }
        let state = PyGILState_Ensure()
        defer { PyGILState_Release(state) }
        return try body(Python(module: nil))
    }
}

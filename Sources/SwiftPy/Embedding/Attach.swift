import CPython

/// Why ``Python/attach(_:)`` could not run its closure.
public enum AttachError: Error, Equatable, CustomStringConvertible, PythonExceptionConvertible {
    /// No interpreter is running (never started, or already finalized).
    case notInitialized
    /// The interpreter is shutting down: taking the GIL now could block forever or end
    /// the calling thread (CPython exits non-Python threads that try), so SwiftPy refuses.
    case finalizing
    /// ``Python/attach(to:_:)`` was called on a thread attached to another interpreter.
    case otherInterpreter

    /// Raised in Python as `RuntimeError` with the description.
    public var pythonException: PyException { .runtimeError(description) }

    public var description: String {
        switch self {
        case .notInitialized: "the Python interpreter is not running"
        case .finalizing: "the Python interpreter is shutting down"
        case .otherInterpreter: "this thread is attached to another Python interpreter"
        }
    }
}

extension Python {
    /// Runs `body` attached to the interpreter, from any thread: a Dispatch worker, a
    /// Swift concurrency task, a C library's callback thread. Reentrant: on a thread that
    /// already holds the GIL (of any interpreter) it just runs `body`.
    ///
    /// A thread that is not attached enters the MAIN interpreter (CPython's `PyGILState`
    /// API knows no other). Work for a builtin that may run in a subinterpreter attaches
    /// with ``attach(to:_:)`` and the builtin's ``interpreter`` instead.
    ///
    /// During or after interpreter finalization it throws ``AttachError`` instead of
    /// hanging or crashing: from the moment `atexit` handlers run (see `ShutdownFlag`),
    /// and after `Py_Finalize`. An attach that began before that is waited for: exit
    /// holds back finalization (up to 2 s) until its closure returns, because CPython
    /// before 3.14 ends a thread that needs the GIL once finalization has begun. A closure
    /// still running Python after 2 s is left to CPython: before 3.14 it is ended when it
    /// next takes the GIL (on a Dispatch thread that crashes the process), from 3.14 it
    /// hangs until the process exits. Keep callbacks that may run at exit short.
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
        if unsafe swiftpy_attached_thread_state() != nil { return unsafe try body(Python(module: nil)) }
        try ShutdownFlag.enter()
        defer { ShutdownFlag.leave() }
        let state = PyGILState_Ensure()
        defer { PyGILState_Release(state) }
        return unsafe try body(Python(module: nil))
    }

    /// The interpreter this thread is attached to: the main one, or the subinterpreter
    /// whose code called the builtin. Pass it to ``attach(to:_:)`` on another thread.
    ///
    /// The corresponding C function is `PyInterpreterState_Get`.
    public var interpreter: InterpreterRef { unsafe InterpreterRef(state: PyInterpreterState_Get()) }

    /// Runs `body` attached to `interpreter` — the main interpreter or a subinterpreter
    /// (3.12+ ones with their own GIL included) — from any thread, like ``attach(_:)``.
    /// On a thread that is already attached to `interpreter` it just runs `body`; on one
    /// attached to another interpreter it throws ``AttachError/otherInterpreter``.
    ///
    /// The interpreter must stay alive until this returns: obtain it from a builtin's
    /// ``interpreter`` and keep that builtin's call (or its module) running meanwhile, as
    /// a builtin that waits for its worker threads does.
    ///
    /// The corresponding C functions are `PyThreadState_New`, `PyEval_RestoreThread`,
    /// `PyThreadState_Clear` and `PyThreadState_DeleteCurrent` (`PyGILState_Ensure` and
    /// `PyGILState_Release` for the main interpreter).
    public static func attach<T: Sendable>(to interpreter: InterpreterRef, _ body: (Python) throws -> T) throws -> T {
        guard Py_IsInitialized() != 0 else { throw AttachError.notInitialized }
        guard swiftpy_is_finalizing() == 0, !ShutdownFlag.started.load(ordering: .acquiring) else {
            throw AttachError.finalizing
        }
        if let current = unsafe swiftpy_attached_thread_state() {
            guard unsafe PyThreadState_GetInterpreter(current) == interpreter.state else { throw AttachError.otherInterpreter }
            return unsafe try body(Python(module: nil))
        }
        if unsafe interpreter.state == PyInterpreterState_Main() { return try attach(body) }
        try ShutdownFlag.enter()
        defer { ShutdownFlag.leave() }
        guard let thread = unsafe PyThreadState_New(interpreter.state) else { throw AttachError.notInitialized }
        unsafe PyEval_RestoreThread(thread)
        defer {
            unsafe PyThreadState_Clear(thread)
            PyThreadState_DeleteCurrent()
        }
        return unsafe try body(Python(module: nil))
    }
}

/// One Python interpreter of this process (the main one or a subinterpreter), as a value
/// any thread may hold; see ``Python/interpreter`` and ``Python/attach(to:_:)``.
@safe public struct InterpreterRef: Hashable, @unchecked Sendable {
    // SAFETY: an opaque address, compared freely; only handed to CPython by attach(to:),
    // whose contract requires the interpreter to be alive.
    let state: OpaquePointer

    /// The main interpreter (`PyInterpreterState_Main`).
    public static var main: InterpreterRef { unsafe InterpreterRef(state: PyInterpreterState_Main()) }

    /// Whether this is the main interpreter.
    public var isMain: Bool { unsafe state == PyInterpreterState_Main() }

    // Written out: the synthesized conformances would read `state` unmarked (strict
    // memory safety warns at no source location).
    public static func == (lhs: InterpreterRef, rhs: InterpreterRef) -> Bool { unsafe lhs.state == rhs.state }
    public func hash(into hasher: inout Hasher) { unsafe hasher.combine(state) }
}

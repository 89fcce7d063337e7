import CPython
import Synchronization

/// Proof that the current thread is attached to the interpreter (holds the GIL).
///
/// Every SwiftPy API that touches a Python object takes a `Python` token. A builtin gets
/// one from its caller; other threads get one from ``Python/attach(_:)``. The token is not
/// `Sendable`, so the compiler refuses to move it into a closure that may run on another
/// thread or without the GIL — in particular into ``Python/detach(_:)``. It is the Swift
/// counterpart of PyO3's `Python<'py>` marker.
@safe public struct Python: ~Escapable {
    /// The module whose builtin is running (borrowed), so errors can be raised as the
    /// module's own exception classes and objects created with the module's types.
    /// `nil` on threads that attached themselves or in the embedding API.
    @usableFromInline let module: UnsafeMutablePointer<PyObject>?

    @inlinable @_lifetime(immortal) init(module: UnsafeMutablePointer<PyObject>?) {
        unsafe self.module = unsafe module
    }
}

/// Python tokens must never cross threads: a thread that did not attach does not hold
/// the GIL. This unavailable conformance turns every attempt into a compile error.
@available(*, unavailable, message: "a Python token proves the GIL is held by THIS thread; attach on the other thread instead")
extension Python: Sendable {}

extension Python {
    /// Runs `body` with the GIL released, so other Python threads run in parallel.
    ///
    /// The closure is `@Sendable` and returns a `Sendable` value: it cannot capture this
    /// token, a ``PyObjectRef``, a ``PyBorrowedRef`` or a ``PyBuffer`` — the compiler
    /// rejects it — and nothing Python-owned can leak out. Read a buffer while detached
    /// with ``PyBuffer/detach(_:_:)``, which keeps it pinned and hands the closure a
    /// `RawSpan` that cannot escape. The thread state is restored on every path, throws
    /// included.
    ///
    /// The corresponding C functions are `PyEval_SaveThread` and `PyEval_RestoreThread`
    /// (`Py_BEGIN_ALLOW_THREADS` / `Py_END_ALLOW_THREADS`).
    @inlinable
    public func detach<T: Sendable, E: Error>(_ body: @Sendable () throws(E) -> T) throws(E) -> T {
        guard GILRelease.isEnabled else { return try body() }
        let state = unsafe PyEval_SaveThread()
        defer { unsafe PyEval_RestoreThread(state) }
        return try body()
    }

    /// Runs `body` detached, like ``detach(_:)``, when `condition` is true; otherwise
    /// runs it with the GIL held. Builtins use it for a size threshold below which the
    /// release/re-acquire pair costs more than it buys, and for `release_gil=False`.
    @inlinable
    public func detach<T: Sendable, E: Error>(
        if condition: Bool, _ body: @Sendable () throws(E) -> T
    ) throws(E) -> T {
        if condition { return try detach(body) }
        return try body()
    }

    /// Runs `body` detached and lets it poll for Ctrl-C between chunks of work.
    ///
    /// Signal handlers only run on the main thread and need the GIL, so a long detached
    /// loop would otherwise ignore SIGINT until it finishes. `body` calls
    /// ``Interruption/check()`` between chunks: at most every ~20 ms, and only on the
    /// main thread, it re-takes the GIL, runs `PyErr_CheckSignals`, and throws the
    /// resulting exception (normally `KeyboardInterrupt`) so the work stops early.
    public func detachInterruptibly<T: Sendable>(
        if condition: Bool = true, _ body: @Sendable (inout Interruption) throws -> T
    ) throws -> T {
        let isMainThread = _PyOS_IsMainThread() != 0
        if !condition || !GILRelease.isEnabled {
            var interruption = unsafe Interruption(savedState: nil, handlesSignals: isMainThread)
            return try body(&interruption)
        }
        let state = unsafe PyEval_SaveThread()
        defer { unsafe PyEval_RestoreThread(state) }
        var interruption = unsafe Interruption(savedState: state, handlesSignals: isMainThread)
        return try body(&interruption)
    }
}

/// A process-wide switch that makes every `detach` in this copy of SwiftPy keep the GIL.
///
/// For measuring what releasing the GIL buys (the benchmark's "GIL held" mode runs the
/// very same builtins with it off); not for production use. Each extension module that
/// links SwiftPy statically has its own switch.
public enum GILRelease {
    /// Whether `detach` really releases the GIL (default `true`).
    @inlinable public static var isEnabled: Bool {
        get { gilReleaseSwitch.load(ordering: .relaxed) }
        set { gilReleaseSwitch.store(newValue, ordering: .relaxed) }
    }
}

@usableFromInline let gilReleaseSwitch = Atomic<Bool>(true)

import CPython

/// Lets detached work notice Ctrl-C. Obtained from ``Python/detachInterruptibly(if:_:)``.
///
/// Not `Sendable` and not copyable: it must be used on the thread that detached, the only
/// one that may briefly re-attach with the saved thread state.
@safe public struct Interruption: ~Copyable {
    let savedState: UnsafeMutablePointer<PyThreadState>?
    let thread: UInt
    /// Signals are only handled on the main thread of the main interpreter; elsewhere
    /// checking would re-take the GIL for nothing. Read while the GIL is still held.
    let handlesSignals: Bool
    private var nextCheck: UInt64

    /// Must be created while the GIL is held (it asks which thread this is).
    init(savedState: UnsafeMutablePointer<PyThreadState>?, handlesSignals: Bool) {
        unsafe self.savedState = unsafe savedState
        self.thread = PyThread_get_thread_ident()
        self.handlesSignals = handlesSignals
        self.nextCheck = 0
    }

    /// Polling interval: short enough that Ctrl-C feels immediate (~20 ms), long enough
    /// that the GIL round trip (tens of µs when contended) costs well under 1%.
    static let interval: UInt64 = 20_000_000

    /// Throws `KeyboardInterrupt` (or whatever a Python signal handler raised) if a signal
    /// arrived since the last check. Cheap when called often: it reads a monotonic clock
    /// and does nothing until the interval has passed.
    ///
    /// The corresponding C function is `PyErr_CheckSignals`.
    public mutating func check() throws {
        // Elsewhere `PyErr_CheckSignals` would be a no-op; a call from another thread
        // than the one that detached must not re-attach with its thread state.
        guard handlesSignals, thread == PyThread_get_thread_ident() else { return }
        let now = monotonicNanoseconds()
        guard now >= nextCheck else { return }
        nextCheck = now &+ Self.interval
        guard let state = unsafe savedState else {
            // Called with the GIL held (detaching was not requested).
            if PyErr_CheckSignals() != 0 { throw PyException.fetch() }
            return
        }
        unsafe PyEval_RestoreThread(state)
        defer { _ = unsafe PyEval_SaveThread() }
        if PyErr_CheckSignals() != 0 { throw PyException.fetch() }
    }
}

@inline(__always) func monotonicNanoseconds() -> UInt64 { UInt64(swiftpy_monotonic_ns()) }

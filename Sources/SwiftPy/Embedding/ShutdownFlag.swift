import CPython
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Set when the main interpreter starts shutting down, before `Py_IsFinalizing` is.
///
/// Before 3.14, CPython ends (via `pthread_exit`) any non-Python thread that takes the GIL
/// once finalization has begun; on a Dispatch worker that kills the process (libdispatch
/// traps when one of its threads exits under it). No API lets such a thread ask first
/// without a race, so SwiftPy closes the window from the other side: the first SwiftPy
/// module created in the main interpreter (or else `Interpreter.finalize`) registers an
/// `atexit` callback that
/// 1. sets `started`, so every later `attach` refuses with `AttachError.finalizing`, and
/// 2. waits — with the GIL released — until the attaches that had already passed that
///    check (counted in `attachesInFlight`) have finished, at most `drainLimit`.
/// Exit handlers run before finalization starts, while the GIL is still handed out
/// normally, so those threads get it, run their closure and detach in time.
///
/// Limit: a closure that still runs Python `drainLimit` after exit began is left to
/// CPython. Before 3.14 it is ended (`pthread_exit`) when it next takes the GIL — on a
/// Dispatch worker that is the same crash — and from 3.14 it hangs until the process exits.
enum ShutdownFlag {
    static let started = Atomic<Bool>(false)
    static let installed = Atomic<Bool>(false)
    static let forkHandlerInstalled = Atomic<Bool>(false)
    /// Threads between `enter()` and `leave()`: inside an `attach` that takes the GIL.
    static let attachesInFlight = Atomic<Int>(0)
    /// How long exit waits for attached Swift threads: long enough for any callback that
    /// is finishing, short enough that a stuck one delays exit only briefly.
    static let drainLimit: Duration = .seconds(2)

    /// A new interpreter (`Interpreter.start`, also after a `finalize`): nothing is
    /// registered in it yet and nothing is shutting down.
    static func reset() {
        started.store(false, ordering: .sequentiallyConsistent)
        installed.store(false, ordering: .sequentiallyConsistent)
    }

    /// Counts the calling thread in, or throws if shutdown has started. Sequentially
    /// consistent on both sides (count then check here; set then read the count in
    /// `callback`), so the callback cannot miss a thread that got past the check.
    static func enter() throws(AttachError) {
        attachesInFlight.add(1, ordering: .sequentiallyConsistent)
        if started.load(ordering: .sequentiallyConsistent) {
            leave()
            throw AttachError.finalizing
        }
    }

    static func leave() {
        attachesInFlight.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Sets `started` and waits for the attaches in flight (GIL held by the caller; it is
    /// released while waiting and held again on return).
    static func begin() {
        // Once per shutdown: a second call (finalize's fallback, then the exit handler)
        // must not wait again.
        guard !started.exchange(true, ordering: .sequentiallyConsistent) else { return }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: drainLimit)
        while attachesInFlight.load(ordering: .sequentiallyConsistent) > 0, clock.now < deadline {
            // SAFETY: this thread holds the GIL and takes it back before returning.
            let state = unsafe PyEval_SaveThread()
            _ = usleep(500)
            unsafe PyEval_RestoreThread(state)
        }
    }

    /// `atexit` callback: `def _swiftpy_shutdown(): ...` (called with the GIL held).
    static let callback: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, _ in
        begin()
        return unsafe swiftpy_newref(swiftpy_none())
    }

    // SAFETY: written once before being handed to CPython, then only read by it.
    nonisolated(unsafe) static let methodDef: UnsafeMutablePointer<PyMethodDef> = {
        let def = UnsafeMutablePointer<PyMethodDef>.allocate(capacity: 1)
        unsafe def.initialize(to: PyMethodDef(
            ml_name: permanentCString("_swiftpy_shutdown"),
            ml_meth: callback, ml_flags: METH_NOARGS,
            ml_doc: permanentCString("Marks the start of interpreter shutdown for SwiftPy's attach().")))
        return unsafe def
    }()

    /// `pthread_atfork` child handler. Approximate if the forking thread was itself inside
    /// an attach: its `leave()` then takes the count to -1, and the child's exit would not
    /// wait for one attach of its own (a per-thread depth would make it exact).
    static let childAfterFork: @convention(c) () -> Void = {
        ShutdownFlag.attachesInFlight.store(0, ordering: .sequentiallyConsistent)
    }

    /// Registers the callback once per interpreter lifetime, in the main interpreter (GIL
    /// held), and once per process a fork handler: a child process has only the thread
    /// that forked, so the other threads' attaches must not hold its exit for `drainLimit`.
    /// Returns whether the callback is registered (now or before) in the main interpreter.
    @discardableResult
    static func install(_ py: Python) -> Bool {
        guard unsafe PyInterpreterState_Get() == PyInterpreterState_Main() else { return false }
        installForkHandler()
        guard installed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return true
        }
        do {
            let atexit = try py.importModule("atexit")
            let register = try py.getAttribute(atexit.borrowed, "register")
            let function = unsafe try py.checked(PyCFunction_NewEx(methodDef, nil, nil))
            _ = try py.call(register, [function])
            return true
        } catch {
            installed.store(false, ordering: .releasing)
            PyErr_Clear()
            return false
        }
    }

    /// Once per process.
    static func installForkHandler() {
        if forkHandlerInstalled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            _ = pthread_atfork(nil, nil, childAfterFork)
        }
    }
}

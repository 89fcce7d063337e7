import CPython
import Synchronization

/// Set when the main interpreter starts shutting down, before `Py_IsFinalizing` is.
///
/// CPython ends (via `pthread_exit`) any non-Python thread that takes the GIL once
/// finalization has begun, and 3.11 offers no way for such a thread to ask first without
/// a race. SwiftPy narrows that window: the first SwiftPy module created in the main
/// interpreter registers an `atexit` callback that sets this flag, so `attach` refuses
/// from the moment exit handlers run — while the GIL is still handed out normally.
enum ShutdownFlag {
    static let started = Atomic<Bool>(false)
    static let installed = Atomic<Bool>(false)

    /// `atexit` callback: `def _swiftpy_shutdown(): ...`.
    static let callback: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, _ in
        started.store(true, ordering: .releasing)
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

    /// Registers the callback once per process, in the main interpreter (GIL held).
    static func install(_ py: Python) {
        guard unsafe PyInterpreterState_Get() == PyInterpreterState_Main() else { return }
        guard installed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        do {
            let atexit = try py.importModule("atexit")
            let register = try py.getAttribute(atexit.borrowed, "register")
            let function = unsafe try py.checked(PyCFunction_NewEx(methodDef, nil, nil))
            _ = try py.call(register, [function])
        } catch {
            installed.store(false, ordering: .releasing)
            PyErr_Clear()
        }
    }
}

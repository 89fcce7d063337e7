import CPython
import Synchronization

/// The registry's slots. A global with a constant initial value (not a lazily
/// initialised `static let`) so each call reads it without a `swift_once` check, and
/// without dynamic exclusivity checks (each would cost ~50 instructions per call).
// SAFETY: allocated and each slot written once under `CallableRegistry.next`'s lock,
// before the corresponding trampoline is handed to CPython; only read afterwards.
@exclusivity(unchecked) nonisolated(unsafe) var callableSlots: UnsafeMutablePointer<Unmanaged<Callable>?>? = nil

/// `PyObject *f(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)`.
typealias FastcallFunction = @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Int, PyPointer?) -> PyPointer?

/// Maps each builtin to one of the pre-built C entry points (see Trampolines.swift).
///
/// Slots are written once, before their entry point is handed to CPython, and never
/// change, so calls read them without a lock.
enum CallableRegistry {
    static let capacity = 1024
    static let next = Mutex<[ObjectIdentifier: Int]>([:])

    /// The entry point for `callable`, registering it on first use (idempotent, so a
    /// module created again in a subinterpreter reuses its slots).
    static func entryPoint(for callable: Callable) throws -> FastcallFunction {
        let index: Int = try next.withLock { assigned in
            if let index = assigned[ObjectIdentifier(callable)] { return index }
            let index = assigned.count
            guard index < capacity else {
                throw PyException(.runtimeError, "SwiftPy: more than \(capacity) builtins in one process; regenerate Trampolines.swift with a larger pool")
            }
            if callableSlots == nil {
                let slots = UnsafeMutablePointer<Unmanaged<Callable>?>.allocate(capacity: capacity)
                slots.initialize(repeating: nil, count: capacity)
                callableSlots = slots
            }
            callableSlots.unsafelyUnwrapped[index] = Unmanaged.passRetained(callable)
            assigned[ObjectIdentifier(callable)] = index
            return index
        }
        return trampolines[index]
    }

    @inline(__always)
    static func invoke(_ index: Int, _ receiver: PyPointer?, _ args: UnsafePointer<PyPointer?>?, _ nargs: Int, _ kwnames: PyPointer?) -> PyPointer? {
        guard let callable = callableSlots.unsafelyUnwrapped[index] else {
            swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_SYSTEM), "SwiftPy: call through an unregistered entry point")
            return nil
        }
        return callable._withUnsafeGuaranteedRef { $0.call(receiver, args, nargs, kwnames) }
    }
}

import CPython

/// A Swift class whose instances hold Python objects, made visible to CPython's cyclic
/// garbage collector: the counterpart of PyO3's `__traverse__`/`__clear__` and of
/// pybind11's/nanobind's `tp_traverse`/`tp_clear` slots.
///
/// Without it, a cycle through a Swift object (`node.value = node`) is never collected:
/// the collector cannot see the references the Swift object holds. A ``TypeDefinition``
/// whose class conforms gets `Py_TPFLAGS_HAVE_GC`, and its instances are traversed and
/// cleared through these two methods.
///
/// ```swift
/// final class Node: PyGCTraversable {
///     let value = PyObjectCell()
///     func traverse(_ visitor: inout PyVisitor) { visitor.visit(value) }
///     func clear() { value.clear() }
/// }
/// ```
public protocol PyGCTraversable: AnyObject {
    /// Reports every Python object this instance holds a reference to (`tp_traverse`).
    /// Called by the collector with the GIL held (on a free-threaded build, with the
    /// world stopped); it must not create, release or change references.
    func traverse(_ visitor: inout PyVisitor)

    /// Drops the Python references this instance holds (`tp_clear`), so the collector can
    /// break a cycle through it. The instance may still be used afterwards.
    func clear()
}

/// What ``PyGCTraversable/traverse(_:)`` reports objects to (a `visitproc` and its
/// argument; `Py_VISIT`).
@safe public struct PyVisitor {
    let visit: visitproc
    let argument: UnsafeMutableRawPointer?
    /// The first non-zero result of the visit procedure, which ends the traversal.
    var result: Int32 = 0

    /// Reports one held object (nothing for `nil`).
    public mutating func visit(_ object: PyObjectRef?) {
        guard result == 0, let object else { return }
        result = unsafe swiftpy_visit(visit, object.pointer, argument)
    }

    /// Reports the object a cell holds, if any.
    public mutating func visit(_ cell: PyObjectCell) {
        cell.withCurrent { visit($0) }
    }
}

@available(*, unavailable, message: "a visitor is only valid during the collector's traversal")
extension PyVisitor: Sendable {}

/// A mutable slot holding one Python object (or none), for Swift classes that keep
/// Python values and are shared between threads: reads and writes are serialised by a
/// lock, so the class can be `Sendable` and its module may opt into free threading.
/// Reads and writes need the GIL (the token), as any Python reference does.
public final class PyObjectCell: @unchecked Sendable {
    // SAFETY: `object` is only read or written under `lock`, and only by callers that
    // hold a `Python` token (attached), or by the collector (GIL held / world stopped).
    private let lock = PThreadLock()
    private var object: PyObjectRef?

    public init() {}

    /// The object held, or `nil`.
    public func get(_ py: Python) -> PyObjectRef? { lock.withLock { object } }

    /// Replaces the object held. The previous one is released after the lock is let go
    /// (its finalizer may run Python code that uses this cell).
    public func set(_ newValue: PyObjectRef?, _ py: Python) {
        let old = lock.withLock { () -> PyObjectRef? in
            let old = object
            object = newValue
            return old
        }
        withExtendedLifetime(old) {}
    }

    /// Drops the object held (for ``PyGCTraversable/clear()``).
    public func clear() {
        let old = lock.withLock { () -> PyObjectRef? in
            let old = object
            object = nil
            return old
        }
        withExtendedLifetime(old) {}
    }

    func withCurrent(_ body: (PyObjectRef?) -> Void) { lock.withLock { body(object) } }
}

/// A plain pthread mutex (no Swift `Mutex` here: its value would have to be `Sendable`,
/// and a `PyObjectRef` is deliberately not).
@safe final class PThreadLock: @unchecked Sendable {
    // SAFETY: the mutex lives at a fixed heap address for the object's life.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { unsafe pthread_mutex_init(mutex, nil) }
    deinit { unsafe pthread_mutex_destroy(mutex); unsafe mutex.deallocate() }
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        unsafe pthread_mutex_lock(mutex)
        defer { unsafe pthread_mutex_unlock(mutex) }
        return try body()
    }
}

extension SwiftObject {
    /// `tp_traverse` of SwiftPy types whose class is ``PyGCTraversable``. Visits the heap
    /// type too, as every heap type's instances must.
    static let traverse: traverseproc = { object, visit, argument in
        guard let object = unsafe object, let visit = unsafe visit else { return 0 }
        let type = unsafe UnsafeMutableRawPointer(swiftpy_type(object)!).assumingMemoryBound(to: PyObject.self)
        let result = unsafe visit(type, argument)
        if result != 0 { return result }
        guard let raw = unsafe payloadSlot(object).pointee,
              let traversable = unsafe Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? PyGCTraversable else {
            return 0
        }
        var visitor = unsafe PyVisitor(visit: visit, argument: argument)
        traversable.traverse(&visitor)
        return visitor.result
    }

    /// `tp_clear` of SwiftPy types whose class is ``PyGCTraversable``.
    static let clear: inquiry = { object in
        guard let object = unsafe object, let raw = unsafe payloadSlot(object).pointee,
              let traversable = unsafe Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? PyGCTraversable else {
            return 0
        }
        traversable.clear()
        return 0
    }
}

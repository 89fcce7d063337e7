import CPython

/// The memory layout of every instance of a SwiftPy type: the object header, one strong
/// reference to the Swift object it wraps, and the list of weak references to it.
///
/// ```
/// struct { PyObject ob_base; void *payload; PyObject *weaklist; }   // payload: Unmanaged<AnyObject>
/// ```
@usableFromInline
enum SwiftObject {
    @usableFromInline static var payloadOffset: Int { MemoryLayout<PyObject>.stride }
    /// Where `weakref.ref(obj)` keeps its list (`tp_weaklistoffset`).
    static var weakListOffset: Int { payloadOffset + MemoryLayout<UnsafeMutableRawPointer?>.stride }
    static let basicSize = weakListOffset + MemoryLayout<PyPointer?>.stride

    // SAFETY: only called on instances of SwiftPy types (basicsize covers the slot).
    @inlinable static func payloadSlot(_ object: PyPointer) -> UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        (UnsafeMutableRawPointer(object) + payloadOffset).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }

    /// The wrapped Swift object, or `TypeError` if `object` wraps none of type `T`
    /// (e.g. an instance created by `object.__new__` bypassing the constructor).
    @inlinable
    static func payload<T: AnyObject>(_ object: PyPointer?, as type: T.Type) throws -> T {
        guard let object, let raw = payloadSlot(object).pointee,
              let value = Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T else {
            throw PyException.typeError("descriptor requires a '\(T.self)' object")
        }
        return value
    }

    /// Allocates an instance of `type` wrapping `value` (retained). Returns a new reference.
    @usableFromInline static func create(_ type: PyPointer, wrapping value: AnyObject) throws -> PyPointer {
        let typeObject = UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyTypeObject.self)
        guard let object = PyType_GenericAlloc(typeObject, 0) else { throw PyException.fetch() }
        payloadSlot(object).pointee = Unmanaged.passRetained(value).toOpaque()
        return object
    }

    /// `tp_dealloc` of every SwiftPy type: untracks a collected instance, clears weak
    /// references, releases the Swift object, frees the memory and drops the instance's
    /// reference to its heap type.
    static let dealloc: @convention(c) (PyPointer?) -> Void = { object in
        guard let object else { return }
        guard let type = swiftpy_type(object) else { return }
        // Untracked first: the collector must not traverse a half-destroyed instance
        // while the Swift object's deinit releases what it held.
        if PyType_GetFlags(type) & UInt(Py_TPFLAGS_HAVE_GC) != 0 { PyObject_GC_UnTrack(UnsafeMutableRawPointer(object)) }
        let weakList = (UnsafeMutableRawPointer(object) + weakListOffset).assumingMemoryBound(to: PyPointer?.self)
        if weakList.pointee != nil { PyObject_ClearWeakRefs(object) }
        if let raw = payloadSlot(object).pointee {
            payloadSlot(object).pointee = nil
            Unmanaged<AnyObject>.fromOpaque(raw).release()
        }
        if let free = PyType_GetSlot(type, Py_tp_free) {
            unsafeBitCast(free, to: freefunc.self)(UnsafeMutableRawPointer(object))
        }
        swiftpy_decref(UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self))
    }
}

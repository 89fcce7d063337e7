import CPython

/// The memory layout of every instance of a SwiftPy type: the object header, one strong
/// reference to the Swift object it wraps, and the list of weak references to it.
///
/// ```
/// struct { PyObject ob_base; void *payload; PyObject *weaklist; }   // payload: Unmanaged<AnyObject>
/// ```
@usableFromInline
enum SwiftObject {
    @usableFromInline static var payloadOffset: Int { unsafe MemoryLayout<PyObject>.stride }
    /// Where `weakref.ref(obj)` keeps its list (`tp_weaklistoffset`).
    static var weakListOffset: Int { unsafe payloadOffset + MemoryLayout<UnsafeMutableRawPointer?>.stride }
    static let basicSize = unsafe weakListOffset + MemoryLayout<PyPointer?>.stride

    // SAFETY: only called on instances of SwiftPy types (basicsize covers the slot).
    @inlinable static func payloadSlot(_ object: PyPointer) -> UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        unsafe (UnsafeMutableRawPointer(object) + payloadOffset).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }

    /// The wrapped Swift object, or `TypeError` if `object` wraps none of type `T`
    /// (e.g. an instance created by `object.__new__` bypassing the constructor).
    @inlinable
    static func payload<T: AnyObject>(_ object: PyPointer?, as type: T.Type) throws -> T {
        guard let object = unsafe object, let raw = unsafe payloadSlot(object).pointee,
              let value = unsafe Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T else {
            throw PyException.typeError("descriptor requires a '\(T.self)' object")
        }
        return value
    }

    /// Allocates an instance of `type` wrapping `value` (retained). Returns a new reference.
    @usableFromInline static func create(_ type: PyPointer, wrapping value: AnyObject) throws -> PyPointer {
        let typeObject = unsafe UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyTypeObject.self)
        guard let object = unsafe PyType_GenericAlloc(typeObject, 0) else { throw PyException.fetch() }
        unsafe payloadSlot(object).pointee = unsafe Unmanaged.passRetained(value).toOpaque()
        return unsafe object
    }

    /// `tp_dealloc` of every SwiftPy type: untracks a collected instance, clears weak
    /// references, releases the Swift object, frees the memory and drops the instance's
    /// reference to its heap type.
    static let dealloc: @convention(c) (PyPointer?) -> Void = { object in
        guard let object = unsafe object else { return }
        guard let type = unsafe swiftpy_type(object) else { return }
        // Untracked first: the collector must not traverse a half-destroyed instance
        // while the Swift object's deinit releases what it held.
        if unsafe PyType_GetFlags(type) & UInt(Py_TPFLAGS_HAVE_GC) != 0 { unsafe PyObject_GC_UnTrack(UnsafeMutableRawPointer(object)) }
        let weakList = unsafe (UnsafeMutableRawPointer(object) + weakListOffset).assumingMemoryBound(to: PyPointer?.self)
        if unsafe weakList.pointee != nil { unsafe PyObject_ClearWeakRefs(object) }
        if let raw = unsafe payloadSlot(object).pointee {
            unsafe payloadSlot(object).pointee = nil
            unsafe Unmanaged<AnyObject>.fromOpaque(raw).release()
        }
        if let free = unsafe PyType_GetSlot(type, Py_tp_free) {
            unsafe unsafeBitCast(free, to: freefunc.self)(UnsafeMutableRawPointer(object))
        }
        unsafe swiftpy_decref(UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self))
    }
}

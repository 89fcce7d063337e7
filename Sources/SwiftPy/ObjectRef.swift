import CPython

/// The C type of every Python object pointer (`PyObject *`).
public typealias PyPointer = UnsafeMutablePointer<PyObject>

/// An owned (strong) reference to a Python object: it holds one reference count and
/// gives it back when the last Swift copy goes away.
///
/// Owned vs borrowed is explicit at construction: ``init(owned:)`` takes over a new
/// reference (what most C API functions return), ``init(borrowed:)`` adds one. Not
/// `Sendable`: a reference may only be used, and dropped, while the GIL is held.
@safe public final class PyObjectRef {
    /// The object pointer. Valid for as long as this reference is alive.
    public let pointer: PyPointer

    /// Takes over a NEW reference (one the caller owns), e.g. from `PyLong_FromLong`.
    @inlinable public init(owned pointer: PyPointer) { unsafe self.pointer = unsafe pointer }

    /// Adds a reference to a BORROWED pointer, e.g. from `PyTuple_GetItem`.
    @inlinable public init(borrowed pointer: PyPointer) {
        unsafe swiftpy_incref(pointer)
        unsafe self.pointer = unsafe pointer
    }

    /// Adds a reference to a borrowed handle.
    @inlinable public convenience init(_ borrowed: PyBorrowedRef) { unsafe self.init(borrowed: borrowed.pointer) }

    deinit { unsafe swiftpy_decref(pointer) }

    /// A borrowed handle, valid while this reference is alive. Do not take it from a
    /// temporary (`f().borrowed`): Swift may release the temporary right away. APIs that
    /// take a `PyObjectRef` directly keep it alive for you.
    @inlinable public var borrowed: PyBorrowedRef { unsafe PyBorrowedRef(pointer) }

    /// Gives up this reference's count to the caller as a new reference (for returning to
    /// C): the object stays alive after this `PyObjectRef` is gone.
    @inlinable public func newReference() -> PyPointer { unsafe swiftpy_newref(pointer) }
}

@available(*, unavailable, message: "Python objects may only be used while the GIL is held")
extension PyObjectRef: Sendable {}

/// A borrowed reference: a pointer whose reference count someone else holds, such as a
/// builtin's arguments during the call. Costs nothing; keep it no longer than its owner.
/// Convert it with ``PyObjectRef/init(_:)`` to keep the object.
@safe public struct PyBorrowedRef {
    public let pointer: PyPointer
    @inlinable public init(_ pointer: PyPointer) { unsafe self.pointer = unsafe pointer }

    /// The object's type name, for error messages (`type(obj).__name__`).
    public var typeName: String { unsafe String(cString: swiftpy_type(pointer).pointee.tp_name).typeNameTail }

    /// Whether this is `None`.
    @inlinable public var isNone: Bool { unsafe pointer == swiftpy_none() }
}

@available(*, unavailable, message: "Python objects may only be used while the GIL is held")
extension PyBorrowedRef: Sendable {}

extension String {
    /// `tp_name` holds "module.Name" for extension types; Python shows the last part.
    var typeNameTail: String {
        guard let dot = lastIndex(of: ".") else { return self }
        return String(self[index(after: dot)...])
    }
}

extension Python {
    /// `None` as an owned reference.
    public var none: PyObjectRef { unsafe PyObjectRef(borrowed: swiftpy_none()) }

    /// Calls `callable(*args, **kwargs)`; exceptions raised by the Python code come back as
    /// a thrown ``PyException`` that carries the original exception object.
    ///
    /// The corresponding C function is `PyObject_Call`.
    public func call(_ callable: PyBorrowedRef, _ args: [PyObjectRef] = [], kwargs: [String: PyObjectRef] = [:]) throws -> PyObjectRef {
        let tuple = unsafe try checked(PyTuple_New(args.count))
        for (i, arg) in args.enumerated() { unsafe swiftpy_tuple_set_item(tuple.pointer, i, arg.newReference()) }
        var dict: PyObjectRef? = nil
        if !kwargs.isEmpty {
            let d = unsafe try checked(PyDict_New())
            for (key, value) in kwargs where unsafe PyDict_SetItemString(d.pointer, key, value.pointer) != 0 {
                throw PyException.fetch()
            }
            dict = d
        }
        return unsafe try checked(PyObject_Call(callable.pointer, tuple.pointer, dict?.pointer))
    }

    /// Calls an owned callable (kept alive for the whole call).
    public func call(_ callable: PyObjectRef, _ args: [PyObjectRef] = [], kwargs: [String: PyObjectRef] = [:]) throws -> PyObjectRef {
        try withExtendedLifetime(callable) { try call(callable.borrowed, args, kwargs: kwargs) }
    }

    /// `obj.name` of an owned object (kept alive for the call).
    public func getAttribute(_ object: PyObjectRef, _ name: String) throws -> PyObjectRef {
        try withExtendedLifetime(object) { try getAttribute(object.borrowed, name) }
    }

    /// `obj.name`. The corresponding C function is `PyObject_GetAttrString`.
    public func getAttribute(_ object: PyBorrowedRef, _ name: String) throws -> PyObjectRef {
        unsafe try checked(PyObject_GetAttrString(object.pointer, name))
    }

    /// `import name`. The corresponding C function is `PyImport_ImportModule`.
    public func importModule(_ name: String) throws -> PyObjectRef {
        unsafe try checked(PyImport_ImportModule(name))
    }

    /// `repr(obj)` of an owned object.
    public func repr(_ object: PyObjectRef) throws -> String {
        try withExtendedLifetime(object) { try repr(object.borrowed) }
    }

    /// `repr(obj)` as a Swift string.
    public func repr(_ object: PyBorrowedRef) throws -> String {
        let r = unsafe try checked(PyObject_Repr(object.pointer))
        return try String(fromPython: r, self)
    }

    /// `str(obj)` as a Swift string.
    public func str(_ object: PyBorrowedRef) throws -> String {
        let r = unsafe try checked(PyObject_Str(object.pointer))
        return try String(fromPython: r, self)
    }

    /// Wraps a C API result: a NULL result means an exception is set; it is fetched and
    /// thrown as a ``PyException``.
    @inlinable public func checked(_ result: PyPointer?) throws -> PyObjectRef {
        guard let result = unsafe result else { throw PyException.fetch() }
        return unsafe PyObjectRef(owned: result)
    }
}

import CPython

/// A read-only (or read-write) attribute of a SwiftPy type, e.g. `eof` on a
/// decompressor. Implemented as a getset descriptor whose C `closure` pointer carries the
/// Swift getter.
public struct Property<T: AnyObject>: Sendable {
    @usableFromInline let box: PropertyBox

    /// A read-only property.
    @inlinable public init<R: ToPython>(_ name: String, doc: String = "", get: @escaping @Sendable (Python, T) throws -> R) {
        box = unsafe PropertyBox(name: name, doc: doc, get: { py, object in
            unsafe try get(py, try SwiftObject.payload(object, as: T.self)).toPythonNewReference(py)
        }, set: nil)
    }

    /// A read-write property.
    @inlinable public init<V: FromPython & ToPython>(
        _ name: String, doc: String = "", get: @escaping @Sendable (Python, T) throws -> V,
        set: @escaping @Sendable (Python, T, V) throws -> Void
    ) {
        box = unsafe PropertyBox(name: name, doc: doc, get: { py, object in
            unsafe try get(py, try SwiftObject.payload(object, as: T.self)).toPythonNewReference(py)
        }, set: { py, object, value in
            unsafe try set(py, try SwiftObject.payload(object, as: T.self), try V(fromPython: value, py))
        })
    }
}

@usableFromInline
@safe final class PropertyBox: @unchecked Sendable {
    // SAFETY: immutable after init; lives for the process (a C pointer to it is kept in
    // the type's getset table).
    let name: String
    let doc: String
    let get: @Sendable (Python, PyPointer) throws -> PyPointer
    let set: (@Sendable (Python, PyPointer, PyBorrowedRef) throws -> Void)?

    @usableFromInline
    init(name: String, doc: String, get: @escaping @Sendable (Python, PyPointer) throws -> PyPointer,
         set: (@Sendable (Python, PyPointer, PyBorrowedRef) throws -> Void)?) {
        self.name = name
        self.doc = doc
        unsafe self.get = unsafe get
        unsafe self.set = unsafe set
    }

    static let getter: getter = { object, closure in
        guard let object = unsafe object, let closure = unsafe closure else { return nil }
        let box = unsafe Unmanaged<PropertyBox>.fromOpaque(closure).takeUnretainedValue()
        let module = unsafe PyType_GetModule(swiftpy_type(object))
        do {
            return unsafe try box.get(Python(module: module), object)
        } catch {
            unsafe ErrorTable.raise(error, module: module)
            return nil
        }
    }

    static let setter: setter = { object, value, closure in
        guard let object = unsafe object, let closure = unsafe closure else { return -1 }
        let box = unsafe Unmanaged<PropertyBox>.fromOpaque(closure).takeUnretainedValue()
        let module = unsafe PyType_GetModule(swiftpy_type(object))
        guard let set = unsafe box.set else {
            unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_ATTRIBUTE), "readonly attribute")
            return -1
        }
        guard let value = unsafe value else {
            unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_ATTRIBUTE), "cannot delete attribute '\(box.name)'")
            return -1
        }
        do {
            unsafe try set(Python(module: module), object, PyBorrowedRef(value))
            return 0
        } catch {
            unsafe ErrorTable.raise(error, module: module)
            return -1
        }
    }
}

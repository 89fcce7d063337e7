import CPython

/// The Python objects SwiftPy's methods are: each instance carries its ``Callable``, so one
/// C entry point (a vectorcall function) serves every method and there is no limit on how
/// many a shared object declares. (Module functions are CPython's own builtin functions:
/// see ``BuiltinFunction``. Methods cannot be: a method descriptor's C function gets only
/// the instance, nothing that says which method runs.)
///
/// ```
/// struct {
///     PyObject ob_base;
///     vectorcallfunc vectorcall;   // tp_vectorcall_offset points here
///     void *callable;              // Unmanaged<Callable>, retained
///     PyObject *module;            // strong: the module whose type this method is of
///     PyObject *owner;             // strong: the type the method belongs to
///     PyObject *weakrefs;          // tp_weaklistoffset points here (as for builtins)
/// }
/// ```
///
/// One heap type per module object (so subinterpreters never share one),
/// `swiftpy.method_descriptor`. With `Py_TPFLAGS_METHOD_DESCRIPTOR`, `obj.method(x)` is
/// called as `method(obj, x)` without creating a bound method; `obj.method` alone is a
/// `types.MethodType`. It defines `__get__`, so `inspect` treats it as a method
/// descriptor and reads `__text_signature__`.
enum FunctionObject {
    static var vectorcallOffset: Int { unsafe MemoryLayout<PyObject>.stride }
    static var callableOffset: Int { unsafe vectorcallOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var moduleOffset: Int { unsafe callableOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var ownerOffset: Int { unsafe moduleOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var weakrefsOffset: Int { unsafe ownerOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var basicSize: Int { unsafe weakrefsOffset + MemoryLayout<UnsafeRawPointer>.stride }

    /// Creates `module`'s method type (`PyType_FromModuleAndSpec`); a new reference.
    static func makeMethodType(module: PyPointer) throws -> PyPointer {
        guard let method = unsafe PyType_FromModuleAndSpec(module, methodSpec, nil) else { throw PyException.fetch() }
        return unsafe method
    }

    /// A new method object of `type` (from ``makeMethodType(module:)``) for `callable`.
    static func make(type: PyPointer, callable: Callable, module: PyPointer, owner: PyPointer) throws -> PyPointer {
        let typeObject = unsafe UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyTypeObject.self)
        // SAFETY: the type's basicsize is `basicSize`; PyType_GenericAlloc zeroes the
        // object, so GC traversal before the fields are set sees NULLs.
        guard let object = unsafe PyType_GenericAlloc(typeObject, 0) else { throw PyException.fetch() }
        let raw = UnsafeMutableRawPointer(object)
        unsafe raw.storeBytes(of: callMethod, toByteOffset: vectorcallOffset, as: vectorcallfunc.self)
        unsafe raw.storeBytes(of: Unmanaged.passRetained(callable).toOpaque(), toByteOffset: callableOffset, as: UnsafeMutableRawPointer.self)
        unsafe raw.storeBytes(of: swiftpy_newref(module), toByteOffset: moduleOffset, as: PyPointer?.self)
        unsafe raw.storeBytes(of: swiftpy_newref(owner), toByteOffset: ownerOffset, as: PyPointer?.self)
        return unsafe object
    }

    // MARK: - Fields

    @inline(__always)
    static func callable(_ object: PyPointer) -> Unmanaged<Callable> {
        // SAFETY: set by `make` before the object is handed out; released only in dealloc.
        unsafe Unmanaged.fromOpaque(UnsafeRawPointer(object).load(fromByteOffset: callableOffset, as: UnsafeRawPointer.self))
    }

    @inline(__always)
    static func module(_ object: PyPointer) -> PyPointer? {
        unsafe UnsafeRawPointer(object).load(fromByteOffset: moduleOffset, as: PyPointer?.self)
    }

    @inline(__always)
    static func owner(_ object: PyPointer) -> PyPointer? {
        unsafe UnsafeRawPointer(object).load(fromByteOffset: ownerOffset, as: PyPointer?.self)
    }

    // MARK: - Calls

    /// The vectorcall entry point of every method: `args[0]` is the instance (CPython
    /// passes it first for `obj.method(...)`, and a bound method prepends it).
    static let callMethod: vectorcallfunc = { function, args, nargsf, kwnames in
        let function = unsafe function.unsafelyUnwrapped
        let nargs = swiftpy_vectorcall_nargs(nargsf)
        guard nargs >= 1, let args = unsafe args, let receiver = unsafe args[0] else {
            unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_TYPE), unsafe "unbound method \(qualifiedName(function))() needs an argument")
            return nil
        }
        guard unsafe checkReceiver(function, receiver) else { return nil }
        return unsafe callable(function)._withUnsafeGuaranteedRef {
            unsafe $0.call(module: module(function), receiver: receiver, args + 1, nargs - 1, kwnames)
        }
    }

    /// Whether `receiver` is an instance of the method's type; else raises CPython's
    /// `TypeError` for a descriptor applied to the wrong object.
    static func checkReceiver(_ function: PyPointer, _ receiver: PyPointer) -> Bool {
        guard let owner = unsafe owner(function) else { return false }
        let ownerType = unsafe UnsafeMutableRawPointer(owner).assumingMemoryBound(to: PyTypeObject.self)
        let type = unsafe swiftpy_type(receiver)
        if unsafe type == ownerType || PyType_IsSubtype(type, ownerType) != 0 { return true }
        let typeName = unsafe type.flatMap { unsafe $0.pointee.tp_name.map { unsafe String(cString: $0) } } ?? "?"
        unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_TYPE),
                          unsafe "descriptor '\(callable(function).takeUnretainedValue().name)' for '\(ownerName(function))' objects doesn't apply to a '\(typeName)' object")
        return false
    }

    // MARK: - Type slots

    static let dealloc: @convention(c) (PyPointer?) -> Void = { object in
        guard let object = unsafe object, let type = unsafe swiftpy_type(object) else { return }
        unsafe PyObject_GC_UnTrack(UnsafeMutableRawPointer(object))
        let raw = UnsafeMutableRawPointer(object)
        if unsafe raw.load(fromByteOffset: weakrefsOffset, as: PyPointer?.self) != nil { unsafe PyObject_ClearWeakRefs(object) }
        _ = unsafe clear(object)
        if let callable = unsafe raw.load(fromByteOffset: callableOffset, as: UnsafeMutableRawPointer?.self) {
            unsafe raw.storeBytes(of: nil, toByteOffset: callableOffset, as: UnsafeMutableRawPointer?.self)
            unsafe Unmanaged<Callable>.fromOpaque(callable).release()
        }
        if let free = unsafe PyType_GetSlot(type, Py_tp_free) {
            unsafe unsafeBitCast(free, to: freefunc.self)(raw)
        }
        unsafe swiftpy_decref(UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self))
    }

    static let traverse: traverseproc = { object, visit, arg in
        guard let object = unsafe object, let visit = unsafe visit else { return 0 }
        // Instances of heap types visit their type (3.9+).
        for unsafe reference in unsafe [swiftpy_type(object).map { unsafe UnsafeMutableRawPointer($0).assumingMemoryBound(to: PyObject.self) }, unsafe module(object), unsafe owner(object)] {
            let result = unsafe swiftpy_visit(visit, reference, arg)
            if result != 0 { return result }
        }
        return 0
    }

    static let clear: inquiry = { object in
        guard let object = unsafe object else { return 0 }
        let raw = UnsafeMutableRawPointer(object)
        for offset in [moduleOffset, ownerOffset] {
            let reference = unsafe raw.load(fromByteOffset: offset, as: PyPointer?.self)
            unsafe raw.storeBytes(of: nil, toByteOffset: offset, as: PyPointer?.self)
            unsafe swiftpy_xdecref(reference)
        }
        return 0
    }

    /// `__get__` of methods: the descriptor itself from the class, a bound method from an
    /// instance (after the same type check as CPython's method descriptors).
    static let getMethod: descrgetfunc = { function, instance, _ in
        guard let function = unsafe function else { return nil }
        guard let instance = unsafe instance else { return unsafe swiftpy_newref(function) }
        guard unsafe checkReceiver(function, instance) else { return nil }
        return unsafe PyMethod_New(function, instance)
    }

    static let repr: reprfunc = { object in
        guard let object = unsafe object else { return nil }
        let name = unsafe callable(object).takeUnretainedValue().name
        return unsafe PyUnicode_FromString(unsafe "<method '\(name)' of '\(ownerName(object))' objects>")
    }

    // MARK: - Attributes

    /// `__name__` of the method's type.
    static func ownerName(_ function: PyPointer) -> String {
        guard let owner = unsafe owner(function) else { return "?" }
        return unsafe attributeString(owner, "__name__") ?? "?"
    }

    /// `Type.method`.
    static func qualifiedName(_ function: PyPointer) -> String {
        let name = unsafe callable(function).takeUnretainedValue().name
        guard let owner = unsafe owner(function) else { return name }
        return unsafe "\(attributeString(owner, "__qualname__") ?? "?").\(name)"
    }

    static func attributeString(_ object: PyPointer, _ name: String) -> String? {
        guard let value = unsafe PyObject_GetAttrString(object, name) else { PyErr_Clear(); return nil }
        defer { unsafe swiftpy_decref(value) }
        guard let utf8 = unsafe PyUnicode_AsUTF8(value) else { PyErr_Clear(); return nil }
        return unsafe String(cString: utf8)
    }

    static func string(_ text: String) -> PyPointer? { unsafe PyUnicode_FromString(text) }

    static let getName: getter = { object, _ in
        unsafe object.flatMap { unsafe string(callable($0).takeUnretainedValue().name) }
    }

    static let getQualname: getter = { object, _ in
        unsafe object.flatMap { unsafe string(qualifiedName($0)) }
    }

    static let getModule: getter = { object, _ in
        guard let object = unsafe object else { return nil }
        guard let owner = unsafe owner(object) else { return unsafe swiftpy_newref(swiftpy_none()) }
        return unsafe PyObject_GetAttrString(owner, "__module__")
    }

    /// The docstring without the signature line (which is `__text_signature__`).
    static let getDoc: getter = { object, _ in
        guard let object = unsafe object else { return nil }
        let doc = unsafe callable(object).takeUnretainedValue().doc
        return unsafe doc.isEmpty ? swiftpy_newref(swiftpy_none()) : string(doc)
    }

    /// `($module, a, b=1, /, *, c=True)`: what `inspect.signature` parses.
    static let getTextSignature: getter = { object, _ in
        guard let object = unsafe object else { return nil }
        let callable = unsafe callable(object).takeUnretainedValue()
        let line = callable.signatureLine(name: "", receiver: "$self")
        return unsafe string(String(line.dropLast("\n--\n\n".count)))
    }

    /// `__objclass__` of a method: its type.
    static let getObjclass: getter = { object, _ in
        guard let object = unsafe object else { return nil }
        return unsafe swiftpy_newref(owner(object) ?? swiftpy_none())
    }

    /// `__reduce__`: `getattr(Type, name)`, as method descriptors do.
    static let reduce: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { object, _ in
        guard let object = unsafe object else { return nil }
        let name = unsafe callable(object).takeUnretainedValue().name
        guard let owner = unsafe owner(object) else { return unsafe string(name) }
        guard let builtins = unsafe PyImport_ImportModule("builtins") else { return nil }
        defer { unsafe swiftpy_decref(builtins) }
        guard let getattr = unsafe PyObject_GetAttrString(builtins, "getattr") else { return nil }
        defer { unsafe swiftpy_decref(getattr) }
        guard let nameObject = unsafe string(name) else { return nil }
        defer { unsafe swiftpy_decref(nameObject) }
        guard let arguments = unsafe pair(owner, nameObject) else { return nil }
        defer { unsafe swiftpy_decref(arguments) }
        return unsafe pair(getattr, arguments)
    }

    /// `(first, second)`, a new tuple (`PyTuple_Pack` is variadic).
    static func pair(_ first: PyPointer, _ second: PyPointer) -> PyPointer? {
        guard let tuple = unsafe PyTuple_New(2) else { return nil }
        unsafe swiftpy_tuple_set_item(tuple, 0, swiftpy_newref(first))
        unsafe swiftpy_tuple_set_item(tuple, 1, swiftpy_newref(second))
        return unsafe tuple
    }

    // MARK: - Specs (built once, kept for the process)

    // SAFETY: written once (lazy global initialisation is thread-safe), then only read by
    // `PyType_FromModuleAndSpec`, which copies what it needs.
    nonisolated(unsafe) static let methodSpec: UnsafeMutablePointer<PyType_Spec> = unsafe makeSpec(
        name: "swiftpy.method_descriptor")

    private static func makeSpec(name: String) -> UnsafeMutablePointer<PyType_Spec> {
        var getset: [PyGetSetDef] = unsafe [
            PyGetSetDef(name: permanentCString("__name__"), get: getName, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__qualname__"), get: getQualname, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__module__"), get: getModule, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__doc__"), get: getDoc, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__text_signature__"), get: getTextSignature, set: nil, doc: nil, closure: nil),
        ]
        unsafe getset.append(PyGetSetDef(name: permanentCString("__objclass__"), get: getObjclass, set: nil, doc: nil, closure: nil))
        unsafe getset.append(PyGetSetDef())

        let methods = UnsafeMutablePointer<PyMethodDef>.allocate(capacity: 2)
        unsafe methods[0] = unsafe PyMethodDef(ml_name: permanentCString("__reduce__"), ml_meth: reduce, ml_flags: METH_NOARGS, ml_doc: nil)
        unsafe methods[1] = unsafe PyMethodDef()

        // `__vectorcalloffset__` and `__weaklistoffset__` are how a type made from a spec
        // sets tp_vectorcall_offset and tp_weaklistoffset.
        let members = UnsafeMutablePointer<PyMemberDef>.allocate(capacity: 3)
        unsafe members[0] = unsafe PyMemberDef(name: permanentCString("__vectorcalloffset__"), type: swiftpy_member_pyssizet(),
                                 offset: vectorcallOffset, flags: swiftpy_member_readonly(), doc: nil)
        unsafe members[1] = unsafe PyMemberDef(name: permanentCString("__weaklistoffset__"), type: swiftpy_member_pyssizet(),
                                 offset: weakrefsOffset, flags: swiftpy_member_readonly(), doc: nil)
        unsafe members[2] = unsafe PyMemberDef()

        func pointer<T>(_ function: T) -> UnsafeMutableRawPointer { unsafe unsafeBitCast(function, to: UnsafeMutableRawPointer.self) }
        let callThroughVectorcall: @convention(c) (PyPointer?, PyPointer?, PyPointer?) -> PyPointer? = unsafe PyVectorcall_Call
        let slots: [PyType_Slot] = unsafe [
            PyType_Slot(slot: Py_tp_dealloc, pfunc: pointer(dealloc)),
            PyType_Slot(slot: Py_tp_traverse, pfunc: pointer(traverse)),
            PyType_Slot(slot: Py_tp_clear, pfunc: pointer(clear)),
            PyType_Slot(slot: Py_tp_call, pfunc: pointer(callThroughVectorcall)),
            PyType_Slot(slot: Py_tp_descr_get, pfunc: pointer(getMethod)),
            PyType_Slot(slot: Py_tp_repr, pfunc: pointer(repr)),
            PyType_Slot(slot: Py_tp_getset, pfunc: UnsafeMutableRawPointer(permanent(getset))),
            PyType_Slot(slot: Py_tp_methods, pfunc: UnsafeMutableRawPointer(methods)),
            PyType_Slot(slot: Py_tp_members, pfunc: UnsafeMutableRawPointer(members)),
            PyType_Slot(slot: 0, pfunc: nil),
        ]
        let spec = UnsafeMutablePointer<PyType_Spec>.allocate(capacity: 1)
        unsafe spec.initialize(to: PyType_Spec(
            name: permanentCString(name), basicsize: Int32(basicSize), itemsize: 0,
            flags: UInt32(swiftpy_tpflags_function(1)), slots: permanent(slots)))
        return unsafe spec
    }

    private static func permanent<T>(_ items: [T]) -> UnsafeMutablePointer<T> {
        let table = UnsafeMutablePointer<T>.allocate(capacity: items.count)
        unsafe table.initialize(from: items, count: items.count)
        return unsafe table
    }
}

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
    static var vectorcallOffset: Int { MemoryLayout<PyObject>.stride }
    static var callableOffset: Int { vectorcallOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var moduleOffset: Int { callableOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var ownerOffset: Int { moduleOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var weakrefsOffset: Int { ownerOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var basicSize: Int { weakrefsOffset + MemoryLayout<UnsafeRawPointer>.stride }

    /// Creates `module`'s method type (`PyType_FromModuleAndSpec`); a new reference.
    static func makeMethodType(module: PyPointer) throws -> PyPointer {
        guard let method = PyType_FromModuleAndSpec(module, methodSpec, nil) else { throw PyException.fetch() }
        return method
    }

    /// A new method object of `type` (from ``makeMethodType(module:)``) for `callable`.
    static func make(type: PyPointer, callable: Callable, module: PyPointer, owner: PyPointer) throws -> PyPointer {
        let typeObject = UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyTypeObject.self)
        // SAFETY: the type's basicsize is `basicSize`; PyType_GenericAlloc zeroes the
        // object, so GC traversal before the fields are set sees NULLs.
        guard let object = PyType_GenericAlloc(typeObject, 0) else { throw PyException.fetch() }
        let raw = UnsafeMutableRawPointer(object)
        raw.storeBytes(of: callMethod, toByteOffset: vectorcallOffset, as: vectorcallfunc.self)
        raw.storeBytes(of: Unmanaged.passRetained(callable).toOpaque(), toByteOffset: callableOffset, as: UnsafeMutableRawPointer.self)
        raw.storeBytes(of: swiftpy_newref(module), toByteOffset: moduleOffset, as: PyPointer?.self)
        raw.storeBytes(of: swiftpy_newref(owner), toByteOffset: ownerOffset, as: PyPointer?.self)
        return object
    }

    // MARK: - Fields

    @inline(__always)
    static func callable(_ object: PyPointer) -> Unmanaged<Callable> {
        // SAFETY: set by `make` before the object is handed out; released only in dealloc.
        Unmanaged.fromOpaque(UnsafeRawPointer(object).load(fromByteOffset: callableOffset, as: UnsafeRawPointer.self))
    }

    @inline(__always)
    static func module(_ object: PyPointer) -> PyPointer? {
        UnsafeRawPointer(object).load(fromByteOffset: moduleOffset, as: PyPointer?.self)
    }

    @inline(__always)
    static func owner(_ object: PyPointer) -> PyPointer? {
        UnsafeRawPointer(object).load(fromByteOffset: ownerOffset, as: PyPointer?.self)
    }

    // MARK: - Calls

    /// The vectorcall entry point of every method: `args[0]` is the instance (CPython
    /// passes it first for `obj.method(...)`, and a bound method prepends it).
    static let callMethod: vectorcallfunc = { function, args, nargsf, kwnames in
        let function = function.unsafelyUnwrapped
        let nargs = swiftpy_vectorcall_nargs(nargsf)
        guard nargs >= 1, let args, let receiver = args[0] else {
            swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_TYPE), "unbound method \(qualifiedName(function))() needs an argument")
            return nil
        }
        guard checkReceiver(function, receiver) else { return nil }
        return callable(function)._withUnsafeGuaranteedRef {
            $0.call(module: module(function), receiver: receiver, args + 1, nargs - 1, kwnames)
        }
    }

    /// Whether `receiver` is an instance of the method's type; else raises CPython's
    /// `TypeError` for a descriptor applied to the wrong object.
    static func checkReceiver(_ function: PyPointer, _ receiver: PyPointer) -> Bool {
        guard let owner = owner(function) else { return false }
        let ownerType = UnsafeMutableRawPointer(owner).assumingMemoryBound(to: PyTypeObject.self)
        let type = swiftpy_type(receiver)
        if type == ownerType || PyType_IsSubtype(type, ownerType) != 0 { return true }
        let typeName = type.flatMap { $0.pointee.tp_name.map { String(cString: $0) } } ?? "?"
        swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_TYPE),
                          "descriptor '\(callable(function).takeUnretainedValue().name)' for '\(ownerName(function))' objects doesn't apply to a '\(typeName)' object")
        return false
    }

    // MARK: - Type slots

    static let dealloc: @convention(c) (PyPointer?) -> Void = { object in
        guard let object, let type = swiftpy_type(object) else { return }
        PyObject_GC_UnTrack(UnsafeMutableRawPointer(object))
        let raw = UnsafeMutableRawPointer(object)
        if raw.load(fromByteOffset: weakrefsOffset, as: PyPointer?.self) != nil { PyObject_ClearWeakRefs(object) }
        _ = clear(object)
        if let callable = raw.load(fromByteOffset: callableOffset, as: UnsafeMutableRawPointer?.self) {
            raw.storeBytes(of: nil, toByteOffset: callableOffset, as: UnsafeMutableRawPointer?.self)
            Unmanaged<Callable>.fromOpaque(callable).release()
        }
        if let free = PyType_GetSlot(type, Py_tp_free) {
            unsafeBitCast(free, to: freefunc.self)(raw)
        }
        swiftpy_decref(UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self))
    }

    static let traverse: traverseproc = { object, visit, arg in
        guard let object, let visit else { return 0 }
        // Instances of heap types visit their type (3.9+).
        for reference in [swiftpy_type(object).map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: PyObject.self) }, module(object), owner(object)] {
            let result = swiftpy_visit(visit, reference, arg)
            if result != 0 { return result }
        }
        return 0
    }

    static let clear: inquiry = { object in
        guard let object else { return 0 }
        let raw = UnsafeMutableRawPointer(object)
        for offset in [moduleOffset, ownerOffset] {
            let reference = raw.load(fromByteOffset: offset, as: PyPointer?.self)
            raw.storeBytes(of: nil, toByteOffset: offset, as: PyPointer?.self)
            swiftpy_xdecref(reference)
        }
        return 0
    }

    /// `__get__` of methods: the descriptor itself from the class, a bound method from an
    /// instance (after the same type check as CPython's method descriptors).
    static let getMethod: descrgetfunc = { function, instance, _ in
        guard let function else { return nil }
        guard let instance else { return swiftpy_newref(function) }
        guard checkReceiver(function, instance) else { return nil }
        return PyMethod_New(function, instance)
    }

    static let repr: reprfunc = { object in
        guard let object else { return nil }
        let name = callable(object).takeUnretainedValue().name
        return PyUnicode_FromString("<method '\(name)' of '\(ownerName(object))' objects>")
    }

    // MARK: - Attributes

    /// `__name__` of the method's type.
    static func ownerName(_ function: PyPointer) -> String {
        guard let owner = owner(function) else { return "?" }
        return attributeString(owner, "__name__") ?? "?"
    }

    /// `Type.method`.
    static func qualifiedName(_ function: PyPointer) -> String {
        let name = callable(function).takeUnretainedValue().name
        guard let owner = owner(function) else { return name }
        return "\(attributeString(owner, "__qualname__") ?? "?").\(name)"
    }

    static func attributeString(_ object: PyPointer, _ name: String) -> String? {
        guard let value = PyObject_GetAttrString(object, name) else { PyErr_Clear(); return nil }
        defer { swiftpy_decref(value) }
        guard let utf8 = PyUnicode_AsUTF8(value) else { PyErr_Clear(); return nil }
        return String(cString: utf8)
    }

    static func string(_ text: String) -> PyPointer? { PyUnicode_FromString(text) }

    static let getName: getter = { object, _ in
        object.flatMap { string(callable($0).takeUnretainedValue().name) }
    }

    static let getQualname: getter = { object, _ in
        object.flatMap { string(qualifiedName($0)) }
    }

    static let getModule: getter = { object, _ in
        guard let object else { return nil }
        guard let owner = owner(object) else { return swiftpy_newref(swiftpy_none()) }
        return PyObject_GetAttrString(owner, "__module__")
    }

    /// The docstring without the signature line (which is `__text_signature__`).
    static let getDoc: getter = { object, _ in
        guard let object else { return nil }
        let doc = callable(object).takeUnretainedValue().doc
        return doc.isEmpty ? swiftpy_newref(swiftpy_none()) : string(doc)
    }

    /// `($module, a, b=1, /, *, c=True)`: what `inspect.signature` parses.
    static let getTextSignature: getter = { object, _ in
        guard let object else { return nil }
        let callable = callable(object).takeUnretainedValue()
        let line = callable.signatureLine(name: "", receiver: "$self")
        return string(String(line.dropLast("\n--\n\n".count)))
    }

    /// `__objclass__` of a method: its type.
    static let getObjclass: getter = { object, _ in
        guard let object else { return nil }
        return swiftpy_newref(owner(object) ?? swiftpy_none())
    }

    /// `__reduce__`: `getattr(Type, name)`, as method descriptors do.
    static let reduce: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { object, _ in
        guard let object else { return nil }
        let name = callable(object).takeUnretainedValue().name
        guard let owner = owner(object) else { return string(name) }
        guard let builtins = PyImport_ImportModule("builtins") else { return nil }
        defer { swiftpy_decref(builtins) }
        guard let getattr = PyObject_GetAttrString(builtins, "getattr") else { return nil }
        defer { swiftpy_decref(getattr) }
        guard let nameObject = string(name) else { return nil }
        defer { swiftpy_decref(nameObject) }
        guard let arguments = pair(owner, nameObject) else { return nil }
        defer { swiftpy_decref(arguments) }
        return pair(getattr, arguments)
    }

    /// `(first, second)`, a new tuple (`PyTuple_Pack` is variadic).
    static func pair(_ first: PyPointer, _ second: PyPointer) -> PyPointer? {
        guard let tuple = PyTuple_New(2) else { return nil }
        swiftpy_tuple_set_item(tuple, 0, swiftpy_newref(first))
        swiftpy_tuple_set_item(tuple, 1, swiftpy_newref(second))
        return tuple
    }

    // MARK: - Specs (built once, kept for the process)

    // SAFETY: written once (lazy global initialisation is thread-safe), then only read by
    // `PyType_FromModuleAndSpec`, which copies what it needs.
    nonisolated(unsafe) static let methodSpec: UnsafeMutablePointer<PyType_Spec> = makeSpec(
        name: "swiftpy.method_descriptor")

    private static func makeSpec(name: String) -> UnsafeMutablePointer<PyType_Spec> {
        var getset: [PyGetSetDef] = [
            PyGetSetDef(name: permanentCString("__name__"), get: getName, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__qualname__"), get: getQualname, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__module__"), get: getModule, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__doc__"), get: getDoc, set: nil, doc: nil, closure: nil),
            PyGetSetDef(name: permanentCString("__text_signature__"), get: getTextSignature, set: nil, doc: nil, closure: nil),
        ]
        getset.append(PyGetSetDef(name: permanentCString("__objclass__"), get: getObjclass, set: nil, doc: nil, closure: nil))
        getset.append(PyGetSetDef())

        let methods = UnsafeMutablePointer<PyMethodDef>.allocate(capacity: 2)
        methods[0] = PyMethodDef(ml_name: permanentCString("__reduce__"), ml_meth: reduce, ml_flags: METH_NOARGS, ml_doc: nil)
        methods[1] = PyMethodDef()

        // `__vectorcalloffset__` and `__weaklistoffset__` are how a type made from a spec
        // sets tp_vectorcall_offset and tp_weaklistoffset.
        let members = UnsafeMutablePointer<PyMemberDef>.allocate(capacity: 3)
        members[0] = PyMemberDef(name: permanentCString("__vectorcalloffset__"), type: swiftpy_member_pyssizet(),
                                 offset: vectorcallOffset, flags: swiftpy_member_readonly(), doc: nil)
        members[1] = PyMemberDef(name: permanentCString("__weaklistoffset__"), type: swiftpy_member_pyssizet(),
                                 offset: weakrefsOffset, flags: swiftpy_member_readonly(), doc: nil)
        members[2] = PyMemberDef()

        func pointer<T>(_ function: T) -> UnsafeMutableRawPointer { unsafeBitCast(function, to: UnsafeMutableRawPointer.self) }
        let callThroughVectorcall: @convention(c) (PyPointer?, PyPointer?, PyPointer?) -> PyPointer? = PyVectorcall_Call
        let slots: [PyType_Slot] = [
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
        spec.initialize(to: PyType_Spec(
            name: permanentCString(name), basicsize: Int32(basicSize), itemsize: 0,
            flags: UInt32(swiftpy_tpflags_function(1)), slots: permanent(slots)))
        return spec
    }

    private static func permanent<T>(_ items: [T]) -> UnsafeMutablePointer<T> {
        let table = UnsafeMutablePointer<T>.allocate(capacity: items.count)
        table.initialize(from: items, count: items.count)
        return table
    }
}

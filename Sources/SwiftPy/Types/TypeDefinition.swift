import CPython

/// A Python type whose instances wrap a Swift object of class `T`: a heap type created
/// with `PyType_FromModuleAndSpec`, one per module object (so subinterpreters never share
/// it), with methods, properties and deallocation that releases the Swift object.
///
/// ```swift
/// TypeDefinition(Counter.self, name: "Counter", doc: "Counts.",
///     new: Constructor { (py, start: Int) in Counter(start) },
///     methods: [Method("add", [Parameter("n")]) { (py, c: Counter, n: Int) in c.add(n) }],
///     properties: [Property("value") { py, c in c.value }])
/// ```
///
/// Instances support weak references. A class that holds Python objects conforms to
/// ``PyGCTraversable``: its type then takes part in cyclic garbage collection, so cycles
/// through the Swift object (`node.value = node`) are freed.
public final class TypeDefinition: @unchecked Sendable {
    // SAFETY: immutable after init apart from `specs`, which is guarded by its lock.
    let name: String
    let doc: String
    let swiftType: ObjectIdentifier
    let methods: [Callable]
    let properties: [PropertyBox]
    let constructor: Callable?
    let exportsBuffer: Bool
    /// Whether the class is ``PyGCTraversable`` (the type gets `Py_TPFLAGS_HAVE_GC`).
    let collected: Bool

    public init<T: AnyObject>(
        _ type: T.Type, name: String, doc: String = "", new constructor: Constructor<T>? = nil,
        methods: [Method<T>] = [], properties: [Property<T>] = []
    ) {
        self.name = name
        self.doc = doc
        self.swiftType = ObjectIdentifier(T.self)
        self.methods = methods.map(\.callable)
        self.properties = properties.map(\.box)
        self.constructor = constructor?.callable.renamed(name)
        self.exportsBuffer = false
        self.collected = T.self is any PyGCTraversable.Type
    }

    init(bufferType: Void) {
        self.name = "Buffer"
        self.doc = "Memory owned by Swift, exported through the buffer protocol: memoryview(obj) and numpy.asarray(obj) read it without a copy."
        self.swiftType = ObjectIdentifier(SwiftBuffer.self)
        self.methods = []
        self.properties = SwiftBuffer.properties.map(\.box)
        self.constructor = nil
        self.exportsBuffer = true
        self.collected = false
    }

    var declarationErrors: [String] {
        (methods + (constructor.map { [$0] } ?? [])).compactMap { $0.declarationError ?? $0.inheritedError }
    }

    /// Builds the `PyType_Spec` for a module named `moduleName`. Called once per module
    /// definition; the spec and everything it points to live for the whole process.
    func makeSpec(moduleName: String) throws -> UnsafeMutablePointer<PyType_Spec> {
        for method in methods + (constructor.map { [$0] } ?? []) {
            unsafe method.reportName = unsafe permanentCString("\(moduleName).\(name).\(method.name)")
        }
        var slots: [PyType_Slot] = unsafe []
        func slot(_ id: Int32, _ pointer: UnsafeMutableRawPointer?) { unsafe slots.append(PyType_Slot(slot: id, pfunc: pointer)) }

        unsafe slot(Py_tp_dealloc, unsafeBitCast(SwiftObject.dealloc, to: UnsafeMutableRawPointer.self))
        // The class signature comes from the constructor's: `Name(a, b)\n--\n\n`.
        let docText = constructor.map { $0.signatureLine(name: name, receiver: nil) + doc } ?? doc
        unsafe slot(Py_tp_doc, UnsafeMutableRawPointer(mutating: permanentCString(docText)))

        if !properties.isEmpty {
            let table = UnsafeMutablePointer<PyGetSetDef>.allocate(capacity: properties.count + 1)
            for (i, property) in properties.enumerated() {
                unsafe table[i] = unsafe PyGetSetDef(
                    name: permanentCString(property.name), get: PropertyBox.getter,
                    set: property.set == nil ? nil : PropertyBox.setter,
                    doc: permanentCString(property.doc),
                    closure: Unmanaged.passRetained(property).toOpaque())
            }
            unsafe table[properties.count] = unsafe PyGetSetDef()
            unsafe slot(Py_tp_getset, UnsafeMutableRawPointer(table))
        }
        // Without a constructor the type is not instantiable (`Py_TPFLAGS_DISALLOW_INSTANTIATION`).
        if constructor != nil {
            unsafe slot(Py_tp_new, unsafeBitCast(TypeDefinition.new, to: UnsafeMutableRawPointer.self))
        }
        if exportsBuffer {
            unsafe slot(swiftpy_slot_bf_getbuffer(), unsafeBitCast(SwiftBuffer.getBuffer, to: UnsafeMutableRawPointer.self))
            unsafe slot(swiftpy_slot_bf_releasebuffer(), unsafeBitCast(SwiftBuffer.releaseBuffer, to: UnsafeMutableRawPointer.self))
            unsafe slot(Py_tp_repr, unsafeBitCast(SwiftBuffer.repr, to: UnsafeMutableRawPointer.self))
        }
        if collected {
            unsafe slot(Py_tp_traverse, unsafeBitCast(SwiftObject.traverse, to: UnsafeMutableRawPointer.self))
            unsafe slot(Py_tp_clear, unsafeBitCast(SwiftObject.clear, to: UnsafeMutableRawPointer.self))
        }
        // `__weaklistoffset__` as a member is how a heap type declares its weak-reference
        // list on every supported version (Py_TPFLAGS_MANAGED_WEAKREF is 3.12+ only).
        let members = UnsafeMutablePointer<PyMemberDef>.allocate(capacity: 2)
        unsafe members[0] = unsafe PyMemberDef(name: permanentCString("__weaklistoffset__"), type: T_PYSSIZET,
                                 offset: SwiftObject.weakListOffset, flags: READONLY, doc: nil)
        unsafe members[1] = unsafe PyMemberDef()
        unsafe slot(Py_tp_members, UnsafeMutableRawPointer(members))
        unsafe slots.append(PyType_Slot(slot: 0, pfunc: nil))

        let slotTable = unsafe UnsafeMutablePointer<PyType_Slot>.allocate(capacity: slots.count)
        unsafe slotTable.initialize(from: slots, count: slots.count)
        var flags = UInt32(swiftpy_tpflags_default())
        if constructor == nil { flags |= UInt32(Py_TPFLAGS_DISALLOW_INSTANTIATION) }
        if collected { flags |= UInt32(Py_TPFLAGS_HAVE_GC) }
        let spec = UnsafeMutablePointer<PyType_Spec>.allocate(capacity: 1)
        unsafe spec.initialize(to: PyType_Spec(
            name: permanentCString("\(moduleName).\(name)"), basicsize: Int32(SwiftObject.basicSize),
            itemsize: 0, flags: flags, slots: unsafe slotTable))
        return unsafe spec
    }

    /// Puts the type's methods in `type`'s dictionary as method objects of `methodType`
    /// (``FunctionObject``). Done once the type exists, since each method references it.
    func addMethods(to type: PyPointer, methodType: PyPointer, module: PyPointer) throws {
        guard !methods.isEmpty else { return }
        let typeObject = unsafe UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyTypeObject.self)
        guard let dict = unsafe swiftpy_type_dict(typeObject) else { throw PyException.fetch() }
        defer { unsafe swiftpy_decref(dict) }
        for method in methods {
            let object = unsafe try FunctionObject.make(type: methodType, callable: method, module: module, owner: type)
            defer { unsafe swiftpy_decref(object) }
            if unsafe PyDict_SetItemString(dict, method.name, object) != 0 { throw PyException.fetch() }
        }
        unsafe PyType_Modified(typeObject)
    }

    /// `tp_new`: converts `(args, kwargs)` to the vectorcall form and runs the
    /// constructor, whose Swift object becomes the new instance's payload.
    static let new: newfunc = { subtype, args, kwargs in
        guard let subtype = unsafe subtype else { return nil }
        let typeObject = unsafe UnsafeMutableRawPointer(subtype).assumingMemoryBound(to: PyObject.self)
        let module = unsafe PyType_GetModule(subtype)
        guard let module = unsafe module, let state = unsafe ModuleState.of(module), let definition = unsafe state.typeDefinitions[UnsafeMutableRawPointer(subtype)],
              let constructor = definition.constructor else {
            let typeName = unsafe subtype.pointee.tp_name.map { unsafe String(cString: $0) } ?? "this type"
            unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_TYPE), "cannot create '\(typeName)' instances")
            return nil
        }
        let nargs = unsafe args.map { unsafe swiftpy_tuple_size($0) } ?? 0
        var vector: [PyPointer?] = unsafe []
        unsafe vector.reserveCapacity(nargs)
        for i in 0..<nargs { unsafe vector.append(swiftpy_tuple_get_item(args!, i)) }
        var kwnames: PyPointer? = nil
        if let kwargs = unsafe kwargs, unsafe PyDict_Size(kwargs) > 0 {
            guard let names = unsafe PyTuple_New(PyDict_Size(kwargs)) else { return nil }
            unsafe kwnames = unsafe names
            var position = 0, index = 0
            var key: PyPointer? = nil, value: PyPointer? = nil
            while unsafe PyDict_Next(kwargs, &position, &key, &value) != 0 {
                unsafe swiftpy_tuple_set_item(names, index, swiftpy_newref(key!))
                unsafe vector.append(value)
                index += 1
            }
        }
        defer { unsafe swiftpy_xdecref(kwnames) }
        return unsafe vector.withUnsafeBufferPointer { buffer in
            unsafe constructor.call(module: module, receiver: typeObject, buffer.baseAddress, nargs, kwnames)
        }
    }
}

/// How Python creates an instance of a SwiftPy type: `Counter(5)` runs the closure and
/// wraps the Swift object it returns. Declared like a ``Function``.
public struct Constructor<T: AnyObject>: Sendable {
    @usableFromInline let callable: Callable

    @inlinable
    public init<each A: FromPython>(
        doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, repeat each A) throws -> T
    ) {
        let defaults = TypedDefaults("__new__", parameters, repeat (each A).self)
        callable = unsafe Callable(name: "__new__", doc: doc, receiver: .type, parameters: parameters,
                            closureArity: defaults.arity, defaultProblems: defaults.problems) { py, type, args in
            var index = 0
            let object = try body(py, repeat try args.next((each A).self, &index, defaults, py))
            guard let type = unsafe type else { throw PyException(.systemError, "constructor called without a type") }
            return unsafe try SwiftObject.create(type, wrapping: object)
        }
    }
}

/// A C string that lives for the rest of the process (names and docs in CPython's
/// static tables must).
func permanentCString(_ string: String) -> UnsafePointer<CChar> {
    unsafe UnsafePointer(strdup(string)!)
}

/// Swift objects that Python sees as instances of a SwiftPy type. Returning one from a
/// builtin wraps it in the module's type declared for its class.
public protocol PythonClass: AnyObject, ToPython {}

extension PythonClass {
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        guard let module = unsafe py.module, let state = unsafe ModuleState.of(module),
              let type = unsafe state.types[ObjectIdentifier(Self.self)] else {
            throw PyException(.systemError, "no Python type is declared for \(Self.self) in this module")
        }
        return unsafe try SwiftObject.create(type, wrapping: self)
    }
}

extension Python {
    /// The Swift object wrapped by an instance of a SwiftPy type, or `TypeError`.
    public func unwrap<T: AnyObject>(_ object: PyBorrowedRef, as type: T.Type) throws -> T {
        guard let module = unsafe module, let state = unsafe ModuleState.of(module), let cls = unsafe state.types[ObjectIdentifier(T.self)],
              unsafe swiftpy_type(object.pointer) == UnsafeMutableRawPointer(cls).assumingMemoryBound(to: PyTypeObject.self) else {
            throw PyException.typeError("expected \(T.self), not \(object.typeName)")
        }
        return unsafe try SwiftObject.payload(object.pointer, as: T.self)
    }
}

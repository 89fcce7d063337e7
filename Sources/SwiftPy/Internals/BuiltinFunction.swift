import CPython

/// Module functions as CPython's own `builtin_function_or_method` objects (`PyCFunction`,
/// `METH_FASTCALL | METH_KEYWORDS`), so calls to them take the interpreter's specialised
/// path for builtins (3.11+: the call instruction calls the C function directly). A
/// function object of our own type, called through vectorcall, missed it: a no-op call
/// cost ~20 ns against ~7 ns for a C builtin.
///
/// One C entry point serves every function, so it tells them apart by `self` (`m_self`):
/// each function's `self` is a small **binding** object, an instance of a per-module
/// subclass of `module` that carries the Swift callable and the real module:
///
/// ```
/// struct {
///     PyModuleObject base;          // size: PyModule_Type.tp_basicsize
///     void *callable;               // Unmanaged<Callable>, retained
///     PyObject *module;             // strong: the module whose function this is
///     PyMethodDef *definition;      // owned (malloc), with its name and doc
/// }
/// ```
///
/// A `module` subclass because CPython treats a builtin whose `__self__` is a module as a
/// plain function: `__qualname__` is its name, `repr` is `<built-in function name>`,
/// pickling is by reference, and `inspect.signature` drops the `$module` parameter.
/// `__self__` is therefore the binding (named like the module), not the module itself.
enum BuiltinFunction {
    /// Where the binding's own fields start: after CPython's module object. Computed on
    /// each use (two loads): a `static let` would cost every call a `swift_once`.
    @inline(__always)
    static var callableOffset: Int { unsafe Int(swiftpy_module_type().pointee.tp_basicsize) }
    /// `&+`: a type's size plus a pointer cannot overflow, and the checked `+` put an
    /// overflow branch on every call.
    static var moduleOffset: Int { unsafe callableOffset &+ MemoryLayout<UnsafeRawPointer>.stride }
    static var definitionOffset: Int { unsafe moduleOffset + MemoryLayout<UnsafeRawPointer>.stride }
    static var basicSize: Int { unsafe definitionOffset + MemoryLayout<UnsafeRawPointer>.stride }

    /// Creates `module`'s binding type (`PyType_FromModuleAndSpec`, base `module`); a new
    /// reference.
    static func makeBindingType(module: PyPointer) throws -> PyPointer {
        let base = unsafe UnsafeMutableRawPointer(swiftpy_module_type()).assumingMemoryBound(to: PyObject.self)
        guard let bases = unsafe PyTuple_New(1) else { throw PyException.fetch() }
        defer { unsafe swiftpy_decref(bases) }
        unsafe swiftpy_tuple_set_item(bases, 0, swiftpy_newref(base))
        guard let type = unsafe PyType_FromModuleAndSpec(module, bindingSpec, bases) else { throw PyException.fetch() }
        return unsafe type
    }

    /// A new function (`builtin_function_or_method`) for `callable`, bound through a new
    /// binding of `bindingType` (from ``makeBindingType(module:)``).
    static func make(bindingType: PyPointer, callable: Callable, module: PyPointer) throws -> PyPointer {
        let typeObject = unsafe UnsafeMutableRawPointer(bindingType).assumingMemoryBound(to: PyTypeObject.self)
        guard let moduleName = unsafe PyModule_GetNameObject(module) else { throw PyException.fetch() }
        defer { unsafe swiftpy_decref(moduleName) }
        guard let moduleArguments = unsafe PyTuple_New(1) else { throw PyException.fetch() }
        defer { unsafe swiftpy_decref(moduleArguments) }
        unsafe swiftpy_tuple_set_item(moduleArguments, 0, swiftpy_newref(moduleName))
        // SAFETY: module.__new__ allocates `basicSize` bytes and makes the dict (3.14+
        // expects it from __new__); module.__init__ names it. Our fields are zeroed at
        // once (3.10 allocates without zeroing), so dealloc and traverse see NULLs until
        // they are set.
        guard let newModule = unsafe swiftpy_module_type().pointee.tp_new,
              let binding = unsafe newModule(typeObject, moduleArguments, nil) else { throw PyException.fetch() }
        unsafe UnsafeMutableRawPointer(binding).advanced(by: callableOffset)
            .initializeMemory(as: UInt8.self, repeating: 0, count: basicSize - callableOffset)
        if unsafe swiftpy_module_type().pointee.tp_init?(binding, moduleArguments, nil) ?? -1 != 0 {
            unsafe swiftpy_decref(binding)
            throw PyException.fetch()
        }
        let definition = UnsafeMutablePointer<PyMethodDef>.allocate(capacity: 1)
        let entryPoint = unsafe unsafeBitCast(entry, to: PyCFunction.self)
        unsafe definition.initialize(to: PyMethodDef(
            ml_name: UnsafePointer(strdup(callable.name)), ml_meth: entryPoint,
            ml_flags: swiftpy_meth_fastcall_keywords(),
            ml_doc: UnsafePointer(strdup(callable.signatureLine(name: callable.name, receiver: "$module") + callable.doc))))
        let raw = UnsafeMutableRawPointer(binding)
        unsafe raw.storeBytes(of: Unmanaged.passRetained(callable).toOpaque(), toByteOffset: callableOffset, as: UnsafeMutableRawPointer.self)
        unsafe raw.storeBytes(of: swiftpy_newref(module), toByteOffset: moduleOffset, as: PyPointer?.self)
        unsafe raw.storeBytes(of: definition, toByteOffset: definitionOffset, as: UnsafeMutablePointer<PyMethodDef>?.self)
        defer { unsafe swiftpy_decref(binding) }  // the function holds its own reference
        guard let function = unsafe PyCFunction_NewEx(definition, binding, moduleName) else { throw PyException.fetch() }
        return unsafe function
    }

    /// The C function of every module function (`METH_FASTCALL | METH_KEYWORDS`): `self`
    /// is the function's binding.
    static let entry: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Int, PyPointer?) -> PyPointer? = {
        binding, args, nargs, kwnames in
        // SAFETY: CPython passes the function's m_self, a binding `make` filled in before
        // the function existed; its fields change only in dealloc/clear.
        let raw = unsafe UnsafeRawPointer(binding.unsafelyUnwrapped)
        let module = unsafe raw.load(fromByteOffset: moduleOffset, as: PyPointer?.self)
        let callable = unsafe Unmanaged<Callable>.fromOpaque(raw.load(fromByteOffset: callableOffset, as: UnsafeRawPointer.self))
        return unsafe callable._withUnsafeGuaranteedRef { unsafe $0.call(module: module, receiver: module, args, nargs, kwnames) }
    }

    // MARK: - Binding type slots

    static let dealloc: @convention(c) (PyPointer?) -> Void = { object in
        guard let object = unsafe object, let type = unsafe swiftpy_type(object) else { return }
        unsafe PyObject_GC_UnTrack(UnsafeMutableRawPointer(object))
        // Weak references die first, before any field is torn down (module's dealloc then
        // finds none left).
        unsafe PyObject_ClearWeakRefs(object)
        _ = unsafe clearOwn(object)
        let raw = UnsafeMutableRawPointer(object)
        if let callable = unsafe raw.load(fromByteOffset: callableOffset, as: UnsafeMutableRawPointer?.self) {
            unsafe raw.storeBytes(of: nil, toByteOffset: callableOffset, as: UnsafeMutableRawPointer?.self)
            unsafe Unmanaged<Callable>.fromOpaque(callable).release()
        }
        if let definition = unsafe raw.load(fromByteOffset: definitionOffset, as: UnsafeMutablePointer<PyMethodDef>?.self) {
            // SAFETY: the function that pointed at it held this binding: it is gone.
            unsafe raw.storeBytes(of: nil, toByteOffset: definitionOffset, as: UnsafeMutablePointer<PyMethodDef>?.self)
            unsafe free(UnsafeMutableRawPointer(mutating: definition.pointee.ml_name))
            unsafe free(UnsafeMutableRawPointer(mutating: definition.pointee.ml_doc))
            unsafe definition.deallocate()
        }
        // module's own dealloc frees the dict and name and the object (tp_free); the
        // reference to our heap type is ours to drop.
        unsafe swiftpy_module_type().pointee.tp_dealloc?(object)
        unsafe swiftpy_decref(UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self))
    }

    static let traverse: traverseproc = { object, visit, arg in
        guard let object = unsafe object, let visit = unsafe visit else { return 0 }
        let type = unsafe swiftpy_type(object).map { unsafe UnsafeMutableRawPointer($0).assumingMemoryBound(to: PyObject.self) }
        var result = unsafe swiftpy_visit(visit, type, arg)
        if result == 0 {
            result = unsafe swiftpy_visit(visit, UnsafeRawPointer(object).load(fromByteOffset: moduleOffset, as: PyPointer?.self), arg)
        }
        if result == 0, let baseTraverse = unsafe swiftpy_module_type().pointee.tp_traverse {
            result = unsafe baseTraverse(object, visit, arg)
        }
        return result
    }

    static let clear: inquiry = { object in
        guard let object = unsafe object else { return 0 }
        _ = unsafe clearOwn(object)
        return unsafe swiftpy_module_type().pointee.tp_clear?(object) ?? 0
    }

    /// Drops the binding's reference to its module.
    private static func clearOwn(_ object: PyPointer) -> Int32 {
        let raw = UnsafeMutableRawPointer(object)
        let module = unsafe raw.load(fromByteOffset: moduleOffset, as: PyPointer?.self)
        unsafe raw.storeBytes(of: nil, toByteOffset: moduleOffset, as: PyPointer?.self)
        unsafe swiftpy_xdecref(module)
        return 0
    }

    // SAFETY: written once (lazy global initialisation is thread-safe), then only read by
    // `PyType_FromModuleAndSpec`, which copies what it needs.
    nonisolated(unsafe) static let bindingSpec: UnsafeMutablePointer<PyType_Spec> = {
        func pointer<T>(_ function: T) -> UnsafeMutableRawPointer { unsafe unsafeBitCast(function, to: UnsafeMutableRawPointer.self) }
        let slots = UnsafeMutablePointer<PyType_Slot>.allocate(capacity: 4)
        unsafe slots[0] = unsafe PyType_Slot(slot: Py_tp_dealloc, pfunc: pointer(dealloc))
        unsafe slots[1] = unsafe PyType_Slot(slot: Py_tp_traverse, pfunc: pointer(traverse))
        unsafe slots[2] = unsafe PyType_Slot(slot: Py_tp_clear, pfunc: pointer(clear))
        unsafe slots[3] = unsafe PyType_Slot(slot: 0, pfunc: nil)
        let spec = UnsafeMutablePointer<PyType_Spec>.allocate(capacity: 1)
        unsafe spec.initialize(to: PyType_Spec(
            name: permanentCString("swiftpy.builtin_binding"), basicsize: Int32(basicSize), itemsize: 0,
            flags: UInt32(swiftpy_tpflags_binding()), slots: slots))
        return unsafe spec
    }()
}

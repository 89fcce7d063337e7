import CPython

/// Per-module-object state (PEP 489): the module's own type objects and exception
/// classes, and the user's state object. One per module object, so every subinterpreter
/// importing the module gets its own.
@safe final class ModuleState {
    let definition: ModuleDefinition
    /// Type objects by the Swift class their instances wrap (owned references).
    var types: [ObjectIdentifier: PyPointer] = unsafe [:]
    /// The definition of each type, by type object address (for `tp_new`).
    var typeDefinitions: [UnsafeMutableRawPointer: TypeDefinition] = unsafe [:]
    /// Exception classes by name (owned references).
    var exceptions: [String: PyPointer] = unsafe [:]
    /// What ``ModuleDefinition``'s `makeState` returned.
    var userState: AnyObject?

    init(definition: ModuleDefinition) { self.definition = definition }

    /// The state of a SwiftPy module object (its `m_size` slot holds one pointer).
    static func of(_ module: PyPointer) -> ModuleState? {
        guard let slot = unsafe PyModule_GetState(module) else { PyErr_Clear(); return nil }
        guard let raw = unsafe slot.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return unsafe Unmanaged<ModuleState>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Every Python object the state owns, for GC traversal and clearing.
    var ownedObjects: [PyPointer] { unsafe Array(types.values) + Array(exceptions.values) }

    func clear() {
        let objects = unsafe ownedObjects
        unsafe types.removeAll()
        unsafe exceptions.removeAll()
        unsafe typeDefinitions.removeAll()
        userState = nil
        for unsafe object in unsafe objects { unsafe swiftpy_decref(object) }
    }
}

extension Python {
    /// The state object the running module's `makeState` created, if it has type `T`.
    public func moduleState<T: AnyObject>(as type: T.Type) -> T? {
        guard let module = unsafe module, let state = unsafe ModuleState.of(module) else { return nil }
        return state.userState as? T
    }

    /// The running builtin's module object.
    public var currentModule: PyObjectRef? { unsafe module.map { unsafe PyObjectRef(borrowed: $0) } }
}

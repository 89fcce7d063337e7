import CPython
internal import CSwiftPyTraps
import Synchronization

/// A Python module declared in Swift, created with multi-phase initialisation (PEP 489).
///
/// ```swift
/// let demoModule = ModuleDefinition(name: "swiftpy.demo", doc: "...", functions: [...])
/// @c(PyInit_demo) public func PyInit_demo() -> UnsafeMutableRawPointer? {
///     demoModule.initialize()
/// }
/// ```
///
/// Each module object gets its own state (types, exception classes, `makeState`'s
/// object), so the module imports cleanly in several (sub)interpreters. It declares
/// per-interpreter-GIL support on 3.12+ and, when `freeThreadingSafe`, that it does not
/// need the GIL on free-threaded 3.13+ builds.
public final class ModuleDefinition: @unchecked Sendable {
    // SAFETY: immutable after init, except `built`, which is guarded by its Mutex.
    public let name: String
    let doc: String
    let functions: [Callable]
    let types: [TypeDefinition]
    let exceptions: [ExceptionDefinition]
    let constants: [(String, any ToPython & Sendable)]
    let freeThreadingSafe: Bool
    let makeState: (@Sendable (Python) throws -> AnyObject)?
    let setUp: (@Sendable (Python, PyObjectRef) throws -> Void)?

    /// - Parameters:
    ///   - name: The full import name (`"swiftpy.zlib"`); types are named `name.Type`.
    ///   - constants: Module attributes, in order.
    ///   - freeThreadingSafe: Opt-in: whether every builtin, type and state object is
    ///     safe without the GIL (then `Py_mod_gil` is `Py_MOD_GIL_NOT_USED` on
    ///     free-threaded builds; otherwise such a build re-enables the GIL while the module
    ///     is loaded). Nothing checks this for you: see docs/free-threading.md for the rules.
    ///   - makeState: Creates the per-module state object (``Python/moduleState(as:)``).
    ///   - setUp: Runs last when a module object is created, for anything else.
    public init(
        name: String, doc: String = "", functions: [Function] = [], types: [TypeDefinition] = [],
        exceptions: [ExceptionDefinition] = [], constants: [(String, any ToPython & Sendable)] = [],
        freeThreadingSafe: Bool = false,
        makeState: (@Sendable (Python) throws -> AnyObject)? = nil,
        setUp: (@Sendable (Python, PyObjectRef) throws -> Void)? = nil
    ) {
        self.name = name
        self.doc = doc
        self.functions = functions.map(\.callable)
        self.types = types + [TypeDefinition(bufferType: ())]
        self.exceptions = exceptions
        self.constants = constants
        self.freeThreadingSafe = freeThreadingSafe
        self.makeState = makeState
        self.setUp = setUp
    }

    /// The built C tables: the `PyModuleDef` (with this definition's address stored right
    /// after it) and one `PyType_Spec` per type. Built once, kept for the process.
    @safe private struct Built: @unchecked Sendable {
        let def: UnsafeMutablePointer<PyModuleDef>
        let specs: [UnsafeMutablePointer<PyType_Spec>]
    }
    private let built = Mutex<Result<Built, PyException>?>(nil)

    /// What `PyInit_<name>` returns: the module definition for CPython to create the
    /// module from (`PyModuleDef_Init`). On a declaration error, sets `SystemError` and
    /// returns `nil`, so the import fails with a message instead of crashing; a module
    /// compiled against another CPython's headers raises `ImportError` naming both.
    public func initialize() -> UnsafeMutableRawPointer? {
        swiftpy_install_trap_reporter()
        if let mismatch = InterpreterCheck.mismatch(module: name) {
            unsafe ErrorTable.set(mismatch, module: nil)
            return nil
        }
        switch buildOnce() {
        case .success(let built):
            return unsafe UnsafeMutableRawPointer(PyModuleDef_Init(built.def))
        case .failure(let error):
            unsafe ErrorTable.set(error, module: nil)
            return nil
        }
    }

    private func buildOnce() -> Result<Built, PyException> {
        built.withLock { built in
            if let built { return built }
            let result = Result { () throws(PyException) -> Built in try build() }
            built = result
            return result
        }
    }

    private func build() throws(PyException) -> Built {
        let problems = functions.compactMap(\.declarationError) + types.flatMap(\.declarationErrors)
        guard problems.isEmpty else {
            throw PyException(.systemError, "module \(name): " + problems.joined(separator: "; "))
        }
        for function in functions { unsafe function.reportName = unsafe permanentCString("\(name).\(function.name)") }
        do {
            let specs = unsafe try types.map { unsafe try $0.makeSpec(moduleName: name) }

            var slots: [PyModuleDef_Slot] = unsafe [PyModuleDef_Slot(slot: swiftpy_slot_mod_exec(), value: unsafeBitCast(ModuleDefinition.exec, to: UnsafeMutableRawPointer.self))]
            if swiftpy_slot_multiple_interpreters() != 0 {
                unsafe slots.append(PyModuleDef_Slot(slot: swiftpy_slot_multiple_interpreters(), value: swiftpy_per_interpreter_gil_supported()))
            }
            if freeThreadingSafe, swiftpy_slot_gil() != 0 {
                unsafe slots.append(PyModuleDef_Slot(slot: swiftpy_slot_gil(), value: swiftpy_mod_gil_not_used()))
            }
            unsafe slots.append(PyModuleDef_Slot(slot: 0, value: nil))
            let slotTable = unsafe UnsafeMutablePointer<PyModuleDef_Slot>.allocate(capacity: slots.count)
            unsafe slotTable.initialize(from: slots, count: slots.count)

            // SAFETY: the PyModuleDef is followed by one pointer slot holding this
            // definition (retained forever), so `exec` finds it from the module's def.
            let raw = unsafe UnsafeMutableRawPointer.allocate(
                byteCount: MemoryLayout<PyModuleDef>.stride + MemoryLayout<UnsafeRawPointer>.stride,
                alignment: MemoryLayout<PyModuleDef>.alignment)
            let def = unsafe raw.bindMemory(to: PyModuleDef.self, capacity: 1)
            unsafe def.initialize(to: PyModuleDef(
                m_base: swiftpy_moduledef_head_init(), m_name: permanentCString(name),
                m_doc: permanentCString(doc), m_size: MemoryLayout<UnsafeMutableRawPointer?>.stride,
                m_methods: nil, m_slots: slotTable, m_traverse: ModuleDefinition.traverse,
                m_clear: ModuleDefinition.clear, m_free: ModuleDefinition.free))
            unsafe (raw + MemoryLayout<PyModuleDef>.stride).storeBytes(
                of: Unmanaged.passRetained(self).toOpaque(), as: UnsafeMutableRawPointer.self)
            return unsafe Built(def: def, specs: specs)
        } catch let error as PyException {
            throw error
        } catch {
            throw PyException(.systemError, "module \(name): \(error)")
        }
    }

    /// The definition stored after a `PyModuleDef` built by ``build()``.
    static func of(def: UnsafeMutablePointer<PyModuleDef>) -> ModuleDefinition {
        let raw = unsafe (UnsafeMutableRawPointer(def) + MemoryLayout<PyModuleDef>.stride).load(as: UnsafeMutableRawPointer.self)
        return unsafe Unmanaged<ModuleDefinition>.fromOpaque(raw).takeUnretainedValue()
    }

    /// `Py_mod_exec`: fills a new module object — state, types, exception classes,
    /// constants — then runs `setUp`.
    static let exec: @convention(c) (PyPointer?) -> Int32 = { module in
        guard let module = unsafe module, let def = unsafe PyModule_GetDef(module) else { return -1 }
        let definition = unsafe ModuleDefinition.of(def: def)
        guard case .success(let built) = definition.buildOnce() else { return -1 }
        let py = unsafe Python(module: module)
        let state = ModuleState(definition: definition)
        do {
            // Functions are CPython builtin functions bound to a binding object that carries
            // the Swift callable (BuiltinFunction); methods are descriptor objects that carry
            // it (FunctionObject). Both types are made for this module object, and each
            // object keeps its type alive.
            let bindingType = unsafe try BuiltinFunction.makeBindingType(module: module)
            defer { unsafe swiftpy_decref(bindingType) }
            let methodType = unsafe try FunctionObject.makeMethodType(module: module)
            defer { unsafe swiftpy_decref(methodType) }
            for function in definition.functions {
                let object = unsafe try BuiltinFunction.make(bindingType: bindingType, callable: function, module: module)
                defer { unsafe swiftpy_decref(object) }
                if unsafe PyModule_AddObjectRef(module, function.name, object) != 0 { throw PyException.fetch() }
            }
            for unsafe (type, spec) in unsafe zip(definition.types, built.specs) {
                guard let object = unsafe PyType_FromModuleAndSpec(module, spec, nil) else { throw PyException.fetch() }
                unsafe state.types[type.swiftType] = unsafe object
                unsafe try type.addMethods(to: object, methodType: methodType, module: module)
                unsafe state.typeDefinitions[UnsafeMutableRawPointer(object)] = type
                if unsafe PyModule_AddObjectRef(module, type.name, object) != 0 { throw PyException.fetch() }
            }
            for exception in definition.exceptions {
                let fullName = "\(definition.name).\(exception.name)"
                guard let cls = unsafe PyErr_NewExceptionWithDoc(fullName, exception.doc.isEmpty ? nil : exception.doc,
                                                          exception.base.builtinClass, nil) else { throw PyException.fetch() }
                unsafe state.exceptions[exception.name] = unsafe cls
                if unsafe PyModule_AddObjectRef(module, exception.name, cls) != 0 { throw PyException.fetch() }
            }
            for (name, value) in definition.constants {
                let object = try value.toPython(py)
                if unsafe PyModule_AddObjectRef(module, name, object.pointer) != 0 { throw PyException.fetch() }
            }
            if let makeState = definition.makeState { state.userState = try makeState(py) }
        } catch {
            state.clear()
            unsafe ErrorTable.raise(error, module: module)
            return -1
        }
        // Published only now, complete: importlib puts the module in `sys.modules` before
        // `Py_mod_exec` runs, so on a free-threaded build another thread could otherwise
        // read the state's dictionaries while they are being filled.
        unsafe PyModule_GetState(module)!.storeBytes(of: Unmanaged.passRetained(state).toOpaque(), as: UnsafeMutableRawPointer?.self)
        do {
            ShutdownFlag.install(py)
            unsafe try definition.setUp?(py, PyObjectRef(borrowed: module))
            return 0
        } catch {
            unsafe ErrorTable.raise(error, module: module)
            return -1
        }
    }

    static let traverse: traverseproc = { module, visit, arg in
        guard let module = unsafe module, let visit = unsafe visit, let state = unsafe ModuleState.of(module) else { return 0 }
        for unsafe object in unsafe state.ownedObjects {
            let result = unsafe swiftpy_visit(visit, object, arg)
            if result != 0 { return result }
        }
        return 0
    }

    static let clear: inquiry = { module in
        guard let module = unsafe module, let state = unsafe ModuleState.of(module) else { return 0 }
        state.clear()
        return 0
    }

    static let free: freefunc = { raw in
        guard let raw = unsafe raw else { return }
        let module = unsafe raw.assumingMemoryBound(to: PyObject.self)
        guard let slot = unsafe PyModule_GetState(module) else { PyErr_Clear(); return }
        guard let state = unsafe slot.load(as: UnsafeMutableRawPointer?.self) else { return }
        unsafe slot.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
        let owned = unsafe Unmanaged<ModuleState>.fromOpaque(state)
        unsafe owned.takeUnretainedValue().clear()
        unsafe owned.release()
    }
}

import CPython

/// An embedded CPython interpreter for Swift programs (link the `SwiftPyEmbed` product,
/// which links libpython).
///
/// ```swift
/// try Interpreter.start(builtinModules: [("swiftpy_demo", PyInit_demo)])
/// try Python.attach { py in try Interpreter.run("import swiftpy_demo; print(swiftpy_demo.add(1, 2))", py) }
/// ```
///
/// `start` leaves the GIL released, so every thread (including the one that started the
/// interpreter) enters Python through ``Python/attach(_:)``.
public enum Interpreter {
    /// A builtin module's `PyInit_<name>` function.
    public typealias ModuleInitializer = @convention(c) () -> UnsafeMutableRawPointer?

    /// Starts the interpreter once per process, first registering `builtinModules` so
    /// `import name` finds them (the corresponding C function is
    /// `PyImport_AppendInittab`). Later calls do nothing and return `false`.
    @discardableResult
    public static func start(builtinModules: [(name: String, initializer: ModuleInitializer)] = unsafe []) throws -> Bool {
        guard Py_IsInitialized() == 0 else { return false }
        for unsafe (name, initializer) in unsafe builtinModules {
            let cInitializer = unsafe unsafeBitCast(initializer, to: (@convention(c) () -> PyPointer?).self)
            guard unsafe PyImport_AppendInittab(permanentCString(name), cInitializer) == 0 else {
                throw PyException(.runtimeError, "cannot register builtin module \(name)")
            }
        }
        ShutdownFlag.reset()  // after a finalize: attach works again
        ShutdownFlag.installForkHandler()
        Py_InitializeEx(0)
        guard Py_IsInitialized() != 0 else { throw AttachError.notInitialized }
        // Py_Initialize leaves this thread holding the GIL; release it so every thread,
        // this one included, attaches the same way.
        _ = unsafe PyEval_SaveThread()
        return true
    }

    /// Shuts the interpreter down (`Py_FinalizeEx`), from the thread that started it, which
    /// must not be inside ``Python/attach(_:)``. Once Python's non-daemon threads are joined
    /// and the `atexit` handlers run, ``Python/attach(_:)`` starts refusing
    /// (``AttachError/finalizing``) and threads already attached are let finish (up to
    /// 2 s), as at the exit of a python process; afterwards it throws
    /// ``AttachError/notInitialized`` on every thread. Returns `false` if flushing buffered data failed, as `Py_FinalizeEx` reports.
    @discardableResult
    public static func finalize() -> Bool {
        guard Py_IsInitialized() != 0 else { return true }
        // Finalizing from inside an attach would leave that attach's GIL state to be
        // released on a finalized interpreter (and its own exit wait would wait for itself).
        precondition(unsafe swiftpy_attached_thread_state() == nil,
                     "Interpreter.finalize() called inside Python.attach; call it after attach returns")
        PyGILState_Ensure()  // take back the GIL `start` released; finalization ends the state
        // The exit handler that makes attach refuse and waits for attached threads (see
        // ShutdownFlag), unless a SwiftPy module registered it already. Registered now, it
        // runs first among the exit handlers (after Python's threads are joined); if it
        // cannot be registered, the same happens here, before finalization.
        if !ShutdownFlag.install(unsafe Python(module: nil)) { ShutdownFlag.begin() }
        return Py_FinalizeEx() == 0
    }

    /// Runs Python statements in `__main__`'s namespace. Exceptions come back as thrown
    /// ``PyException``s carrying the original exception.
    public static func run(_ code: String, _ py: Python) throws {
        let main = try py.importModule("__main__")
        guard let globals = unsafe PyModule_GetDict(main.pointer) else { throw PyException.fetch() }
        _ = unsafe try py.checked(PyRun_StringFlags(code, Py_file_input, globals, globals, nil))
    }

    /// Evaluates one Python expression in `__main__`'s namespace.
    public static func evaluate(_ expression: String, _ py: Python) throws -> PyObjectRef {
        let main = try py.importModule("__main__")
        guard let globals = unsafe PyModule_GetDict(main.pointer) else { throw PyException.fetch() }
        return unsafe try py.checked(PyRun_StringFlags(expression, Py_eval_input, globals, globals, nil))
    }

    /// Evaluates an expression and converts the result.
    public static func evaluate<T: FromPython>(_ expression: String, as type: T.Type, _ py: Python) throws -> T {
        let object = try evaluate(expression, py)
        return try T(fromPython: object, py)
    }
}

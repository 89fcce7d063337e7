import CPython

/// A Swift error type that knows which Python exception it becomes.
///
/// Conform your library's errors (e.g. a zlib error) in the extension target, which keeps
/// the library itself free of Python: `extension ZlibError: PythonExceptionConvertible`.
public protocol PythonExceptionConvertible: Error {
    var pythonException: PyException { get }
}

/// The one table that turns any Swift error thrown by a builtin into a Python exception.
///
/// 1. ``PyException``: raised as its kind; a caught exception is re-raised unchanged.
/// 2. ``PythonExceptionConvertible``: its ``PythonExceptionConvertible/pythonException``.
/// 3. Anything else: `RuntimeError` with the error's description, so no error is lost.
///
/// Module-defined classes (``PyException/Kind/module(_:)``) are looked up in the state of
/// `module`, the module whose builtin is running.
enum ErrorTable {
    static func raise(_ error: any Error, module: PyPointer?) {
        let exception: PyException
        switch error {
        case let e as PyException: exception = e
        case let e as any PythonExceptionConvertible: exception = e.pythonException
        default: exception = PyException(.runtimeError, "\(type(of: error)): \(error)")
        }
        unsafe set(exception, module: module)
    }

    static func set(_ exception: PyException, module: PyPointer?) {
        if let caught = exception.caught {
            unsafe PyErr_SetObject(UnsafeMutableRawPointer(swiftpy_type(caught.value)).assumingMemoryBound(to: PyObject.self), caught.value)
            return
        }
        if let cls = unsafe exception.kind.builtinClass {
            if exception.kind == .memoryError && exception.message.isEmpty {
                _ = unsafe PyErr_NoMemory()
            } else {
                unsafe swiftpy_set_error(cls, exception.message)
            }
            return
        }
        if case .module(let name) = exception.kind {
            if let module = unsafe module, let state = unsafe ModuleState.of(module), let cls = unsafe state.exceptions[name] {
                unsafe swiftpy_set_error(cls, exception.message)
            } else {
                unsafe swiftpy_set_error(swiftpy_exception(SWIFTPY_EXC_RUNTIME), exception.message)
            }
        }
    }
}

extension Python {
    /// Raises `error` in Python (sets the error indicator) using the error table; for
    /// code that hands control back to C itself.
    public func setError(_ error: any Error) {
        unsafe ErrorTable.raise(error, module: module)
    }
}

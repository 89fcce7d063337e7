import CPython

/// A Python exception as a Swift error: either one to raise (a built-in class or one of
/// the module's own classes, with a message), or one that Python code raised and Swift
/// caught, carrying the original exception object.
///
/// Builtins throw it (or any error that ``PythonExceptionConvertible`` maps) and SwiftPy
/// raises it in Python; calls into Python (``Python/call(_:_:kwargs:)``) throw it with the
/// original exception, which is re-raised unchanged if it propagates back to Python.
public struct PyException: Error, CustomStringConvertible {
    /// Which Python exception class.
    public enum Kind: Sendable, Equatable {
        case typeError, valueError, overflowError, bufferError, memoryError, runtimeError
        case indexError, keyError, attributeError, keyboardInterrupt, notImplementedError
        case osError, zeroDivisionError, systemError, exception, eofError, lookupError, importError
        /// An exception class the module defined (``ExceptionDefinition``), by name,
        /// e.g. `zlib.error`. Raised as `RuntimeError` outside a module's builtins.
        case module(String)
        /// An exception that Python code raised (see ``PyException/exceptionObject(_:)``).
        case caught
    }

    public let kind: Kind
    public let message: String
    /// The original exception object when ``kind`` is ``Kind/caught``.
    let caught: CaughtException?

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
        self.caught = nil
    }

    init(caught: CaughtException) {
        self.kind = .caught
        self.message = caught.summary
        self.caught = caught
    }

    public var description: String {
        kind == .caught ? message : "\(kind): \(message)"
    }

    public static func typeError(_ message: String) -> PyException { .init(.typeError, message) }
    public static func valueError(_ message: String) -> PyException { .init(.valueError, message) }
    public static func overflowError(_ message: String) -> PyException { .init(.overflowError, message) }
    public static func bufferError(_ message: String) -> PyException { .init(.bufferError, message) }
    public static func memoryError(_ message: String = "") -> PyException { .init(.memoryError, message) }
    public static func runtimeError(_ message: String) -> PyException { .init(.runtimeError, message) }
    public static func systemError(_ message: String) -> PyException { .init(.systemError, message) }

    /// The class name of a caught exception (`type(e).__name__`), else `nil`.
    public var pythonTypeName: String? { caught?.typeName }

    /// Whether a caught exception is an instance of `type` (e.g. `KeyError`).
    public func matches(_ kind: Kind, _ py: Python) -> Bool {
        guard let caught, let cls = unsafe kind.builtinClass else { return self.kind == kind }
        return unsafe PyErr_GivenExceptionMatches(caught.value, cls) != 0
    }

    /// The original exception object of a caught exception.
    public func exceptionObject(_ py: Python) -> PyObjectRef? {
        caught.map { unsafe PyObjectRef(borrowed: $0.value) }
    }

    /// Takes the currently set Python exception (the error indicator) as a Swift error.
    /// If none is set, a `SystemError` saying so: C API functions that fail without
    /// setting one are bugs, and must not turn into silent success.
    ///
    /// The corresponding C function is `PyErr_Fetch` (`PyErr_GetRaisedException` in 3.12).
    public static func fetch() -> PyException {
        var type: PyPointer? = nil, value: PyPointer? = nil, traceback: PyPointer? = nil
        unsafe PyErr_Fetch(&type, &value, &traceback)
        guard unsafe type != nil else {
            return PyException(.systemError, "error return without exception set")
        }
        unsafe PyErr_NormalizeException(&type, &value, &traceback)
        if let value = unsafe value, let traceback = unsafe traceback { unsafe PyException_SetTraceback(value, traceback) }
        let exception: PyPointer = unsafe value ?? swiftpy_newref(swiftpy_none())!
        unsafe swiftpy_xdecref(type)
        unsafe swiftpy_xdecref(traceback)
        return unsafe PyException(caught: CaughtException(owned: exception))
    }
}

extension PyException.Kind {
    /// The built-in class, or `nil` for module classes and caught exceptions.
    var builtinClass: PyPointer? {
        let kind: swiftpy_exception_kind
        switch self {
        case .typeError: kind = SWIFTPY_EXC_TYPE
        case .valueError: kind = SWIFTPY_EXC_VALUE
        case .overflowError: kind = SWIFTPY_EXC_OVERFLOW
        case .bufferError: kind = SWIFTPY_EXC_BUFFER
        case .memoryError: kind = SWIFTPY_EXC_MEMORY
        case .runtimeError: kind = SWIFTPY_EXC_RUNTIME
        case .indexError: kind = SWIFTPY_EXC_INDEX
        case .keyError: kind = SWIFTPY_EXC_KEY
        case .attributeError: kind = SWIFTPY_EXC_ATTRIBUTE
        case .keyboardInterrupt: kind = SWIFTPY_EXC_KEYBOARD_INTERRUPT
        case .notImplementedError: kind = SWIFTPY_EXC_NOT_IMPLEMENTED
        case .osError: kind = SWIFTPY_EXC_OS
        case .zeroDivisionError: kind = SWIFTPY_EXC_ZERO_DIVISION
        case .systemError: kind = SWIFTPY_EXC_SYSTEM
        case .exception: kind = SWIFTPY_EXC_EXCEPTION
        case .eofError: kind = SWIFTPY_EXC_EOF
        case .lookupError: kind = SWIFTPY_EXC_LOOKUP
        case .importError: kind = SWIFTPY_EXC_IMPORT
        case .module, .caught: return nil
        }
        return unsafe swiftpy_exception(kind)
    }
}

/// An exception object that Python code raised, owned by Swift.
///
/// `Error` requires `Sendable`, so a caught exception may be dropped on a thread without
/// the GIL (for instance after a detached block rethrows it). Its reference is therefore
/// released attached to the interpreter it comes from (``Python/attach(to:_:)``: a
/// subinterpreter's object must never be released by another interpreter), and leaked on
/// purpose once the interpreter is finalizing, when taking the GIL could hang or end the
/// thread, or when the dropping thread is attached to another interpreter.
@safe final class CaughtException: @unchecked Sendable {
    // SAFETY: `value` is only dereferenced by API that takes a `Python` token (GIL held);
    // deinit attaches itself before releasing it.
    let value: PyPointer
    let interpreter: InterpreterRef
    let summary: String
    let typeName: String

    /// Takes over a new reference to a normalized exception instance (GIL held).
    init(owned value: PyPointer) {
        unsafe self.value = unsafe value
        self.interpreter = unsafe InterpreterRef(state: PyInterpreterState_Get())
        let name = unsafe String(cString: swiftpy_type(value).pointee.tp_name).typeNameTail
        self.typeName = name
        var text = ""
        if let str = unsafe PyObject_Str(value) {
            if let utf8 = unsafe PyUnicode_AsUTF8(str) { text = unsafe String(cString: utf8) } else { PyErr_Clear() }
            unsafe swiftpy_decref(str)
        } else {
            PyErr_Clear()
        }
        self.summary = text.isEmpty ? name : "\(name): \(text)"
    }

    deinit {
        let value = unsafe self.value
        _ = try? Python.attach(to: interpreter) { _ in unsafe swiftpy_decref(value) }
    }
}

import CPython

/// A builtin function, declared once in Swift:
///
/// ```swift
/// Function("add", doc: "Return a + b.", [Parameter("a"), Parameter("b")]) {
///     (py: Python, a: Int, b: Int) throws -> Int in
///     let (sum, overflow) = a.addingReportingOverflow(b)
///     if overflow { throw PyException.overflowError("result too large") }
///     return sum
/// }
/// ```
///
/// The closure's parameter types say how each argument converts (``FromPython``), its
/// result how it returns (``ToPython``). SwiftPy turns the declaration into a real
/// `builtin_function_or_method` (METH_FASTCALL | METH_KEYWORDS) whose
/// `inspect.signature()` comes from the parameter list, with CPython's argument errors.
public struct Function: Sendable {
    @usableFromInline let callable: Callable

    // @inlinable: the wrapper closure is generic over the parameter pack; inlining lets
    // the declaring module specialise it, so argument conversion is direct calls.
    @inlinable
    public init<each A: FromPython, R: ToPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, repeat each A) throws -> R
    ) {
        var arity = 0
        for _ in repeat (each A).self { arity += 1 }
        callable = Callable(name: name, doc: doc, receiver: .module, parameters: parameters, closureArity: arity) { py, _, args in
            var index = 0
            return try body(py, repeat try args.extract((each A).self, &index, py)).toPythonNewReference(py)
        }
    }

    /// A builtin that returns `None`.
    // @inlinable: the wrapper closure is generic over the parameter pack; inlining lets
    // the declaring module specialise it, so argument conversion is direct calls.
    @inlinable
    public init<each A: FromPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, repeat each A) throws -> Void
    ) {
        var arity = 0
        for _ in repeat (each A).self { arity += 1 }
        callable = Callable(name: name, doc: doc, receiver: .module, parameters: parameters, closureArity: arity) { py, _, args in
            var index = 0
            try body(py, repeat try args.extract((each A).self, &index, py))
            return swiftpy_newref(swiftpy_none())
        }
    }

    public var name: String { callable.name }
}

/// A method of a SwiftPy type whose instances wrap a Swift object of class `T`.
///
/// ```swift
/// Method<Counter>("add", [Parameter("n")]) { (py, counter, n: Int) in counter.value += n }
/// ```
public struct Method<T: AnyObject>: Sendable {
    @usableFromInline let callable: Callable

    // @inlinable: the wrapper closure is generic over the parameter pack; inlining lets
    // the declaring module specialise it, so argument conversion is direct calls.
    @inlinable
    public init<each A: FromPython, R: ToPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, T, repeat each A) throws -> R
    ) {
        var arity = 0
        for _ in repeat (each A).self { arity += 1 }
        callable = Callable(name: name, doc: doc, receiver: .instance, parameters: parameters, closureArity: arity) { py, receiver, args in
            let this: T = try SwiftObject.payload(receiver, as: T.self)
            var index = 0
            return try body(py, this, repeat try args.extract((each A).self, &index, py)).toPythonNewReference(py)
        }
    }

    // @inlinable: the wrapper closure is generic over the parameter pack; inlining lets
    // the declaring module specialise it, so argument conversion is direct calls.
    @inlinable
    public init<each A: FromPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, T, repeat each A) throws -> Void
    ) {
        var arity = 0
        for _ in repeat (each A).self { arity += 1 }
        callable = Callable(name: name, doc: doc, receiver: .instance, parameters: parameters, closureArity: arity) { py, receiver, args in
            let this: T = try SwiftObject.payload(receiver, as: T.self)
            var index = 0
            try body(py, this, repeat try args.extract((each A).self, &index, py))
            return swiftpy_newref(swiftpy_none())
        }
    }
}

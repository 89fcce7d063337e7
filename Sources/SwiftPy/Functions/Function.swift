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
/// result how it returns (``ToPython``). Any number of parameters takes the same path (a
/// parameter pack, specialised in the declaring module). Each default is cast to its
/// closure parameter's type once, here; a mismatch makes the module's import fail with a
/// `SystemError` naming the function, the parameter and both types.
///
/// In Python the builtin is a `swiftpy.builtin_function` (see Internals/FunctionObject.swift)
/// that behaves like a `builtin_function_or_method`: called through vectorcall, with
/// CPython's argument errors, `inspect.signature()` from the parameter list, and pickled
/// by reference.
public struct Function: Sendable {
    @usableFromInline let callable: Callable

    // @inlinable: the wrapper closure is generic over the parameter pack; inlining lets
    // the declaring module specialise it, so argument conversion is direct calls.
    @inlinable
    public init<each A: FromPython, R: ToPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, repeat each A) throws -> R
    ) {
        let defaults = TypedDefaults(name, parameters, repeat (each A).self)
        callable = unsafe Callable(name: name, doc: doc, receiver: .module, parameters: parameters,
                            closureArity: defaults.arity, defaultProblems: defaults.problems) { py, _, args in
            var index = 0
            return unsafe try body(py, repeat try args.next((each A).self, &index, defaults, py)).toPythonNewReference(py)
        }
    }

    /// A builtin that returns `None`.
    @inlinable
    public init<each A: FromPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, repeat each A) throws -> Void
    ) {
        let defaults = TypedDefaults(name, parameters, repeat (each A).self)
        callable = unsafe Callable(name: name, doc: doc, receiver: .module, parameters: parameters,
                            closureArity: defaults.arity, defaultProblems: defaults.problems) { py, _, args in
            var index = 0
            try body(py, repeat try args.next((each A).self, &index, defaults, py))
            return unsafe swiftpy_newref(swiftpy_none())
        }
    }

    public var name: String { callable.name }
}

/// A method of a SwiftPy type whose instances wrap a Swift object of class `T`.
///
/// ```swift
/// Method<Counter>("add", [Parameter("n")]) { (py, counter, n: Int) in counter.value += n }
/// ```
///
/// In Python it is a `swiftpy.method_descriptor` in the type's dictionary: `obj.add(1)`
/// calls it without creating a bound method, as for builtin types.
public struct Method<T: AnyObject>: Sendable {
    @usableFromInline let callable: Callable

    @inlinable
    public init<each A: FromPython, R: ToPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, T, repeat each A) throws -> R
    ) {
        let defaults = TypedDefaults(name, parameters, repeat (each A).self)
        callable = unsafe Callable(name: name, doc: doc, receiver: .instance, parameters: parameters,
                            closureArity: defaults.arity, defaultProblems: defaults.problems) { py, receiver, args in
            let this: T = unsafe try SwiftObject.payload(receiver, as: T.self)
            var index = 0
            return unsafe try body(py, this, repeat try args.next((each A).self, &index, defaults, py)).toPythonNewReference(py)
        }
    }

    @inlinable
    public init<each A: FromPython>(
        _ name: String, doc: String = "", _ parameters: [Parameter] = [],
        _ body: @escaping @Sendable (Python, T, repeat each A) throws -> Void
    ) {
        let defaults = TypedDefaults(name, parameters, repeat (each A).self)
        callable = unsafe Callable(name: name, doc: doc, receiver: .instance, parameters: parameters,
                            closureArity: defaults.arity, defaultProblems: defaults.problems) { py, receiver, args in
            let this: T = unsafe try SwiftObject.payload(receiver, as: T.self)
            var index = 0
            try body(py, this, repeat try args.next((each A).self, &index, defaults, py))
            return unsafe swiftpy_newref(swiftpy_none())
        }
    }
}

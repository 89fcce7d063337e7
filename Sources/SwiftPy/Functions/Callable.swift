import CPython

/// What SwiftPy keeps for each builtin function or method: its compiled parameter table
/// and the type-erased Swift body. Lives for the life of the process (CPython keeps
/// pointers to its `PyMethodDef`).
@usableFromInline
final class Callable: @unchecked Sendable {
    // SAFETY: immutable after init; shared by every interpreter and thread.
    @usableFromInline enum Receiver {
        /// A module function: `self` is the module.
        case module
        /// A method: `self` is an instance of a SwiftPy type.
        case instance
        /// A constructor (`tp_new`): `self` is the type.
        case type
    }

    @usableFromInline typealias Body = @Sendable (Python, PyPointer?, Arguments) throws -> PyPointer

    let name: String
    let doc: String
    let receiver: Receiver
    let parameters: [Parameter]
    let body: Body
    /// A mistake in the declaration (e.g. parameter count differs from the closure's),
    /// reported as `SystemError` when the module is created, never as a trap.
    let declarationError: String?

    /// UTF-8 of each parameter name, to match keyword arguments without allocating.
    let nameBytes: [[UInt8]]
    /// Parameters that can be passed by position (not keyword-only).
    let maxPositional: Int
    /// Positional-only parameters.
    let positionalOnlyCount: Int
    /// The fewest positional arguments for which every later parameter has a default:
    /// calls with no keywords and `fastMin...maxPositional` arguments skip binding.
    let fastMin: Int

    @usableFromInline
    init(name: String, doc: String, receiver: Receiver, parameters: [Parameter], closureArity: Int,
         defaultProblems: [String] = [], body: @escaping Body) {
        self.name = name
        self.doc = doc
        self.receiver = receiver
        self.parameters = parameters
        self.body = body
        self.nameBytes = parameters.map { Array($0.name.utf8) }
        self.maxPositional = parameters.lazy.filter { $0.kind != .keywordOnly }.count
        self.positionalOnlyCount = parameters.lazy.filter { $0.kind == .positionalOnly }.count
        var fastMin = parameters.count
        while fastMin > 0, !parameters[fastMin - 1].isRequired { fastMin -= 1 }
        self.fastMin = fastMin

        var problems: [String] = []
        if closureArity != parameters.count {
            problems.append("\(name)() declares \(parameters.count) parameters but its closure takes \(closureArity)")
        }
        problems += defaultProblems
        var sawDefault = false, previous = Parameter.Kind.positionalOnly
        for p in parameters {
            if p.kind.order < previous.order { problems.append("\(name)(): parameter '\(p.name)' is out of order (positional-only, then positional-or-keyword, then keyword-only)") }
            previous = p.kind
            if p.kind != .keywordOnly {
                if !p.isRequired { sawDefault = true } else if sawDefault {
                    problems.append("\(name)(): required parameter '\(p.name)' follows a parameter with a default")
                }
            }
        }
        self.declarationError = problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// The same callable under another name (a constructor takes its type's name, so
    /// argument errors read `Counter() takes ...`).
    func renamed(_ newName: String) -> Callable {
        let copy = Callable(name: newName, doc: doc, receiver: receiver, parameters: parameters, closureArity: parameters.count, body: body)
        copy.inheritedError = declarationError
        return copy
    }

    /// A declaration error carried over by ``renamed(_:)``.
    var inheritedError: String?

    /// `name(receiver, params...)\n--\n\n`, the form `__text_signature__` parses.
    func signatureLine(name: String, receiver: String?) -> String {
        var parts = receiver.map { [$0] } ?? []
        var slashDone = positionalOnlyCount == 0, starDone = false
        for (i, p) in parameters.enumerated() {
            if !slashDone, i == positionalOnlyCount { parts.append("/"); slashDone = true }
            if p.kind == .keywordOnly, !starDone {
                if !slashDone { parts.append("/"); slashDone = true }
                parts.append("*"); starDone = true
            }
            parts.append(p.defaultRepr.map { "\(p.name)=\($0)" } ?? p.name)
        }
        if !slashDone, positionalOnlyCount > 0 { parts.append("/") }
        return "\(name)(\(parts.joined(separator: ", ")))\n--\n\n"
    }

    /// The body of every builtin's C entry point (vectorcall): binds the arguments and
    /// runs the Swift closure. Never throws into C: every Swift error becomes a Python
    /// exception through the error table. `module` is the builtin's module; `receiver` is
    /// what the closure gets as its receiver (the module, the instance, or the type).
    @inline(__always)
    func call(module: PyPointer?, receiver receiverObject: PyPointer?, _ args: UnsafePointer<PyPointer?>?, _ nargs: Int, _ kwnames: PyPointer?) -> PyPointer? {
        let py = Python(module: module)
        do {
            if kwnames == nil, nargs >= fastMin, nargs <= maxPositional {
                return try body(py, receiverObject, Arguments(callable: self, base: args, count: nargs))
            }
            return try withUnsafeTemporaryAllocation(of: PyPointer?.self, capacity: max(parameters.count, 1)) { slots in
                try bind(args, nargs, kwnames, into: slots)
                return try body(py, receiverObject, Arguments(callable: self, base: UnsafePointer(slots.baseAddress), count: parameters.count))
            }
        } catch {
            ErrorTable.raise(error, module: module)
            return nil
        }
    }

    /// Places positional and keyword arguments into one slot per parameter, with
    /// CPython's error messages for every way a call can be wrong.
    func bind(_ args: UnsafePointer<PyPointer?>?, _ nargs: Int, _ kwnames: PyPointer?, into slots: UnsafeMutableBufferPointer<PyPointer?>) throws {
        slots.initialize(repeating: nil)
        let total = nargs + (kwnames.map { swiftpy_tuple_size($0) } ?? 0)
        if parameters.isEmpty {
            if total > 0 { throw PyException.typeError("\(name)() takes no arguments (\(total) given)") }
            return
        }
        if nargs > maxPositional {
            throw PyException.typeError(maxPositional == parameters.count
                ? "\(name)() takes at most \(maxPositional) argument\(maxPositional == 1 ? "" : "s") (\(total) given)"
                : "\(name)() takes at most \(maxPositional) positional argument\(maxPositional == 1 ? "" : "s") (\(nargs) given)")
        }
        for i in 0..<nargs { slots[i] = args?[i] }
        if let kwnames {
            let count = swiftpy_tuple_size(kwnames)
            for k in 0..<count {
                let key = swiftpy_tuple_get_item(kwnames, k)!
                guard let index = parameterIndex(forKeyword: key) else {
                    let keyName = (try? String(fromPython: PyBorrowedRef(key), Python(module: nil))) ?? "?"
                    if let p = parameters.firstIndex(where: { $0.name == keyName }), parameters[p].kind == .positionalOnly {
                        throw PyException.typeError("\(name)() got some positional-only arguments passed as keyword arguments: '\(keyName)'")
                    }
                    throw PyException.typeError("\(name)() got an unexpected keyword argument '\(keyName)'")
                }
                if slots[index] != nil {
                    throw PyException.typeError("argument for \(name)() given by name ('\(parameters[index].name)') and position (\(index + 1))")
                }
                slots[index] = args?[nargs + k]
            }
        }
        if total > parameters.count {
            throw PyException.typeError("\(name)() takes at most \(parameters.count) argument\(parameters.count == 1 ? "" : "s") (\(total) given)")
        }
        for (i, p) in parameters.enumerated() where slots[i] == nil && p.isRequired {
            switch p.kind {
            case .positionalOnly:
                let required = parameters.prefix(positionalOnlyCount).filter(\.isRequired).count
                throw PyException.typeError("\(name)() takes at least \(required) positional argument\(required == 1 ? "" : "s") (\(nargs) given)")
            case .positionalOrKeyword:
                throw PyException.typeError("\(name)() missing required argument '\(p.name)' (pos \(i + 1))")
            case .keywordOnly:
                throw PyException.typeError("\(name)() missing required keyword-only argument '\(p.name)'")
            }
        }
    }

    /// The parameter a keyword names (never a positional-only one), comparing UTF-8.
    func parameterIndex(forKeyword key: PyPointer) -> Int? {
        var size = 0
        guard let utf8 = PyUnicode_AsUTF8AndSize(key, &size) else { PyErr_Clear(); return nil }
        let bytes = UnsafeRawBufferPointer(start: utf8, count: size)
        for i in positionalOnlyCount..<parameters.count where nameBytes[i].count == size {
            if nameBytes[i].withUnsafeBytes({ $0.elementsEqual(bytes) }) { return i }
        }
        return nil
    }
}

extension Parameter.Kind {
    var order: Int {
        switch self {
        case .positionalOnly: 0
        case .positionalOrKeyword: 1
        case .keywordOnly: 2
        }
    }
}

/// A builtin's bound arguments, one slot per parameter (borrowed), read in order by the
/// typed closure wrappers.
@usableFromInline
struct Arguments {
    @usableFromInline unowned(unsafe) let callable: Callable
    @usableFromInline let base: UnsafePointer<PyPointer?>?
    @usableFromInline let count: Int

    /// Converts argument `index` to `T`, or supplies the parameter's default (already a
    /// `T`: cast once when the builtin was declared), and moves `index` on. The typed
    /// closure wrappers call it once per parameter, in order, through a parameter pack.
    @inlinable @inline(__always)
    func next<T: FromPython>(_ index: inout Int, _ fallback: TypedDefault<T>, _ py: Python) throws -> T {
        let i = index
        index += 1
        if i < count, let base, let object = base[i] {
            return try T(fromPython: PyBorrowedRef(object), py)
        }
        if let value = fallback.value { return value }
        throw callable.missingArgument(i)
    }
}

/// A parameter's default, cast to the closure's parameter type when the builtin is
/// declared, so calls never pay for a dynamic cast.
@usableFromInline
struct TypedDefault<T>: @unchecked Sendable {
    // SAFETY: `value` comes from `Parameter.defaultValue`, which is `any Sendable`.
    @usableFromInline let value: T?
    @usableFromInline init(value: T?) { self.value = value }
}

/// The defaults of all of a builtin's parameters, one ``TypedDefault`` per closure
/// parameter (a parameter pack), cast once when the builtin is declared. A default whose
/// type is not the closure's is reported in `problems`, which the module raises at
/// import as a `SystemError` naming the builtin, the parameter and both types.
@usableFromInline
struct TypedDefaults<each A>: @unchecked Sendable {
    // SAFETY: each value comes from `Parameter.defaultValue`, which is `any Sendable`.
    @usableFromInline let values: (repeat TypedDefault<each A>)
    /// How many parameters the closure takes.
    @usableFromInline let arity: Int
    @usableFromInline let problems: [String]

    @inlinable
    init(_ name: String, _ parameters: [Parameter]) {
        var cursor = DefaultCursor(name: name, parameters: parameters)
        values = (repeat cursor.next((each A).self))
        arity = cursor.index
        problems = cursor.problems
    }
}

/// Walks a builtin's parameters in closure order, casting each default.
@usableFromInline
struct DefaultCursor {
    let name: String
    let parameters: [Parameter]
    @usableFromInline private(set) var index = 0
    @usableFromInline private(set) var problems: [String] = []

    @usableFromInline init(name: String, parameters: [Parameter]) {
        self.name = name
        self.parameters = parameters
    }

    @usableFromInline
    mutating func next<T>(_ type: T.Type) -> TypedDefault<T> {
        let i = index
        index += 1
        guard i < parameters.count, let value = parameters[i].defaultValue else { return TypedDefault(value: nil) }
        if let typed = value as? T { return TypedDefault(value: typed) }
        if value is NoneDefault {
            if let optional = T.self as? any ExpressibleByNilLiteral.Type, let none = optional.init(nilLiteral: ()) as? T {
                return TypedDefault(value: none)
            }
            problems.append("\(name)(): the default of parameter '\(parameters[i].name)' is None, but the closure takes \(T.self) (declare it as \(T.self)? to accept None)")
            return TypedDefault(value: nil)
        }
        problems.append("\(name)(): the default of parameter '\(parameters[i].name)' is declared as \(Swift.type(of: value)), but the closure takes \(T.self)")
        return TypedDefault(value: nil)
    }
}

extension Callable {
    @usableFromInline
    func missingArgument(_ index: Int) -> PyException {
        PyException(.systemError, "\(name)(): no value for parameter \(index + 1)")
    }
}

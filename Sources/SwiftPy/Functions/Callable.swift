import CPython
internal import CSwiftPyTraps

/// What SwiftPy keeps for each builtin function or method: its compiled parameter table
/// and the type-erased Swift body. Lives for the life of the process (CPython keeps
/// pointers to its `PyMethodDef`).
@usableFromInline
@safe final class Callable: @unchecked Sendable {
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
    /// "module.function" or "module.Type.method", for trap reports (CSwiftPyTraps): set
    /// once when the module definition is built, before any call; a C string that lives
    /// for the process.
    var reportName: UnsafePointer<CChar>? = nil
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
        unsafe self.body = unsafe body
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
        let copy = unsafe Callable(name: newName, doc: doc, receiver: receiver, parameters: parameters, closureArity: parameters.count, body: body)
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
    ///
    /// Inlined into each entry point, so it is kept to the common case: positional
    /// arguments only, as many as the closure can take without binding. Binding and
    /// raising are outlined (``callBinding(module:receiver:_:_:_:)``, ``raise(_:module:)``):
    /// inline, their temporary buffer and error handling cost every call a stack-protector
    /// check and spilled registers (measured: 67 instructions in the entry point for a
    /// no-op call, against 5 for a C builtin's whole body).
    @inline(__always)
    func call(module: PyPointer?, receiver receiverObject: PyPointer?, _ args: UnsafePointer<PyPointer?>?, _ nargs: Int, _ kwnames: PyPointer?) -> PyPointer? {
        guard unsafe kwnames == nil, nargs >= fastMin, nargs <= maxPositional else {
            return unsafe callBinding(module: module, receiver: receiverObject, args, nargs, kwnames)
        }
        return unsafe invoke(module: module, receiver: receiverObject) {
            unsafe Arguments(callable: self, base: args, count: nargs)
        }
    }

    /// ``call(module:receiver:_:_:_:)`` for calls with keywords or missing arguments: binds
    /// them into one slot per parameter first.
    @inline(never)
    func callBinding(module: PyPointer?, receiver receiverObject: PyPointer?, _ args: UnsafePointer<PyPointer?>?, _ nargs: Int, _ kwnames: PyPointer?) -> PyPointer? {
        unsafe withUnsafeTemporaryAllocation(of: PyPointer?.self, capacity: max(parameters.count, 1)) { slots in
            unsafe invoke(module: module, receiver: receiverObject) {
                unsafe try bind(args, nargs, kwnames, into: slots)
                return unsafe Arguments(callable: self, base: UnsafePointer(slots.baseAddress), count: parameters.count)
            }
        }
    }

    /// Runs the closure on the arguments `arguments` makes (binding them, if need be), as
    /// the builtin running on this thread for the trap reporter (nested calls restore), and
    /// raises any error it throws.
    @inline(__always)
    func invoke(module: PyPointer?, receiver receiverObject: PyPointer?, _ arguments: () throws -> Arguments) -> PyPointer? {
        let scope = unsafe swiftpy_enter_builtin(reportName)
        defer { unsafe swiftpy_leave_builtin(scope) }
        do {
            return unsafe try body(Python(module: module), receiverObject, arguments())
        } catch {
            return unsafe Callable.raise(error, module: module)
        }
    }

    /// Raises `error` as a Python exception; nil, for the entry point to return.
    @inline(never)
    static func raise(_ error: any Error, module: PyPointer?) -> PyPointer? {
        unsafe ErrorTable.raise(error, module: module)
        return nil
    }

    /// Places positional and keyword arguments into one slot per parameter, with
    /// CPython's error messages for every way a call can be wrong.
    func bind(_ args: UnsafePointer<PyPointer?>?, _ nargs: Int, _ kwnames: PyPointer?, into slots: UnsafeMutableBufferPointer<PyPointer?>) throws {
        unsafe slots.initialize(repeating: nil)
        let total = unsafe nargs + (kwnames.map { unsafe swiftpy_tuple_size($0) } ?? 0)
        if parameters.isEmpty {
            if total > 0 { throw PyException.typeError("\(name)() takes no arguments (\(total) given)") }
            return
        }
        if nargs > maxPositional {
            throw PyException.typeError(maxPositional == parameters.count
                ? "\(name)() takes at most \(maxPositional) argument\(maxPositional == 1 ? "" : "s") (\(total) given)"
                : "\(name)() takes at most \(maxPositional) positional argument\(maxPositional == 1 ? "" : "s") (\(nargs) given)")
        }
        for i in 0..<nargs { unsafe slots[i] = unsafe args?[i] }
        if let kwnames = unsafe kwnames {
            let count = unsafe swiftpy_tuple_size(kwnames)
            for k in 0..<count {
                let key = unsafe swiftpy_tuple_get_item(kwnames, k)!
                guard let index = unsafe parameterIndex(forKeyword: key) else {
                    let keyName = unsafe (try? String(fromPython: PyBorrowedRef(key), Python(module: nil))) ?? "?"
                    if let p = parameters.firstIndex(where: { $0.name == keyName }), parameters[p].kind == .positionalOnly {
                        throw PyException.typeError("\(name)() got some positional-only arguments passed as keyword arguments: '\(keyName)'")
                    }
                    throw PyException.typeError("\(name)() got an unexpected keyword argument '\(keyName)'")
                }
                if unsafe slots[index] != nil {
                    throw PyException.typeError("argument for \(name)() given by name ('\(parameters[index].name)') and position (\(index + 1))")
                }
                unsafe slots[index] = unsafe args?[nargs + k]
            }
        }
        if total > parameters.count {
            throw PyException.typeError("\(name)() takes at most \(parameters.count) argument\(parameters.count == 1 ? "" : "s") (\(total) given)")
        }
        for (i, p) in parameters.enumerated() where unsafe slots[i] == nil && p.isRequired {
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
        guard let utf8 = unsafe PyUnicode_AsUTF8AndSize(key, &size) else { PyErr_Clear(); return nil }
        let bytes = unsafe UnsafeRawBufferPointer(start: utf8, count: size)
        for i in positionalOnlyCount..<parameters.count where nameBytes[i].count == size {
            if unsafe nameBytes[i].withUnsafeBytes({ unsafe $0.elementsEqual(bytes) }) { return i }
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
@safe struct Arguments {
    @usableFromInline unowned(unsafe) let callable: Callable
    @usableFromInline let base: UnsafePointer<PyPointer?>?
    @usableFromInline let count: Int

    /// Converts argument `index` to `T`, or supplies the parameter's default (already a
    /// `T`: cast once when the builtin was declared), and moves `index` on. The typed
    /// closure wrappers call it once per parameter, in order, through a parameter pack.
    @inlinable @inline(__always)
    func next<T: FromPython>(_ type: T.Type, _ index: inout Int, _ defaults: TypedDefaults, _ py: Python) throws -> T {
        let i = index
        index += 1
        if i < count, let base = unsafe base, let object = unsafe base[i] {
            return unsafe try T(fromPython: PyBorrowedRef(object), py)
        }
        return unsafe try defaults.value(i, as: T.self, for: callable)
    }
}

/// A parameter's default, cast to the closure's parameter type when the builtin is
/// declared, so calls never pay for a dynamic cast. Not generic: reading a generic
/// class's field from inside a parameter-pack expansion costs a metadata lookup per call.
@usableFromInline
@safe final class TypedDefault: @unchecked Sendable {
    // SAFETY: immutable after init; the value comes from `Parameter.defaultValue`, which
    // is `any Sendable`, and is only read (copied out), never written.
    /// The default, initialised as the closure parameter's type; nil when it has none.
    @usableFromInline let storage: UnsafeMutableRawPointer?
    private let destroy: (@Sendable (UnsafeMutableRawPointer) -> Void)?

    init<T>(_ value: T?) {
        guard let value else {
            unsafe storage = nil
            unsafe destroy = nil
            return
        }
        let typed = UnsafeMutablePointer<T>.allocate(capacity: 1)
        unsafe typed.initialize(to: value)
        unsafe storage = UnsafeMutableRawPointer(typed)
        unsafe destroy = { raw in
            let typed = unsafe raw.assumingMemoryBound(to: T.self)
            unsafe typed.deinitialize(count: 1)
            unsafe typed.deallocate()
        }
    }

    deinit {
        if let storage = unsafe storage, let destroy = unsafe destroy { unsafe destroy(storage) }
    }
}

/// The defaults of a builtin's parameters, one ``TypedDefault`` per closure parameter in
/// closure order, cast once when the builtin is declared. A default whose type is not the
/// closure's is reported in `problems`, which the module raises at import as a
/// `SystemError` naming the builtin, the parameter and both types.
///
/// Not a tuple over the parameter pack: a call would then copy the tuple through generic
/// metadata (measured: +60 ns for `add(1, 2)`). A slot is read only when its argument is
/// missing.
@usableFromInline
struct TypedDefaults: Sendable {
    @usableFromInline let slots: [TypedDefault]
    /// How many parameters the closure takes.
    @usableFromInline let arity: Int
    @usableFromInline let problems: [String]

    @inlinable
    init<each A>(_ name: String, _ parameters: [Parameter], _ types: repeat (each A).Type) {
        var cursor = DefaultCursor(name: name, parameters: parameters)
        var slots: [TypedDefault] = []
        for type in repeat each types { slots.append(cursor.next(type)) }
        self.slots = slots
        arity = cursor.index
        problems = cursor.problems
    }

    /// The default of parameter `i` (whose closure type is `T`).
    ///
    /// Not inlined: inside a parameter-pack expansion `T` is not specialised away, and
    /// the `Optional<T>` here would cost a generic metadata lookup on every call, not only
    /// on calls that leave the argument out.
    @usableFromInline @inline(never)
    func value<T>(_ i: Int, as type: T.Type, for callable: Callable) throws -> T {
        // SAFETY: slot `i` holds a `T`, the type of closure parameter `i`: both come from
        // the same parameter pack, in order (DefaultCursor.next).
        guard let storage = unsafe slots[i].storage else { throw callable.missingArgument(i) }
        return unsafe storage.assumingMemoryBound(to: T.self).pointee
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
    mutating func next<T>(_ type: T.Type) -> TypedDefault {
        let i = index
        index += 1
        guard i < parameters.count, let value = parameters[i].defaultValue else { return TypedDefault(nil as T?) }
        if let typed = value as? T { return TypedDefault(typed) }
        if value is NoneDefault {
            if let optional = T.self as? any ExpressibleByNilLiteral.Type, let none = optional.init(nilLiteral: ()) as? T {
                return TypedDefault(none)
            }
            problems.append("\(name)(): parameter '\(parameters[i].name)' is declared with Parameter.optional (default None), but the closure takes \(T.self), not \(T.self)?: make the closure parameter Optional, or give a default of type \(T.self)")
            return TypedDefault(nil as T?)
        }
        // A numeric literal default fits any fixed-width integer or float parameter it is
        // exactly representable in (`default: 10` for a UInt8, `default: 0.5` for a Float).
        if let integerType = T.self as? any FixedWidthInteger.Type, let integer = value as? any BinaryInteger {
            if let converted = integerType.init(exactly: integer) as? T { return TypedDefault(converted) }
            problems.append("\(name)(): the default \(integer) of parameter '\(parameters[i].name)' does not fit in \(T.self), the type the closure takes")
            return TypedDefault(nil as T?)
        }
        if let floatType = T.self as? any BinaryFloatingPoint.Type {
            if let double = value as? Double, let converted = floatType.init(double) as? T { return TypedDefault(converted) }
            if let integer = value as? any BinaryInteger, let converted = floatType.init(exactly: integer) as? T {
                return TypedDefault(converted)
            }
        }
        problems.append("\(name)(): the default of parameter '\(parameters[i].name)' is declared as \(Swift.type(of: value)), but the closure takes \(T.self)")
        return TypedDefault(nil as T?)
    }
}

extension Callable {
    @usableFromInline
    func missingArgument(_ index: Int) -> PyException {
        PyException(.systemError, "\(name)(): no value for parameter \(index + 1)")
    }
}

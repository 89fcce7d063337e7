/// One parameter of a builtin: its name, how it may be passed, and its default.
///
/// ```swift
/// Parameter("data", .positionalOnly)
/// Parameter("level", default: -1)
/// Parameter("release_gil", .keywordOnly, default: true)
/// ```
public struct Parameter: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Before `/` in the signature: by position only.
        case positionalOnly
        /// By position or by name (the default).
        case positionalOrKeyword
        /// After `*` in the signature: by name only.
        case keywordOnly
    }

    public let name: String
    public let kind: Kind
    /// The Swift value used when the argument is missing; `nil` means "required".
    let defaultValue: (any Sendable)?
    /// How the default reads in the signature (`inspect.signature`).
    let defaultRepr: String?

    /// A required parameter.
    public init(_ name: String, _ kind: Kind = .positionalOrKeyword) {
        self.name = name
        self.kind = kind
        self.defaultValue = nil
        self.defaultRepr = nil
    }

    /// An optional parameter. `default` must have the Swift type the builtin's closure
    /// takes for this parameter (e.g. `Int` for `level: Int`; see ``optional(_:_:)`` for
    /// `None`). `shownAs` replaces its repr in the signature with a name
    /// the module defines, e.g. `DEFLATED`.
    public init<V: PythonLiteral>(_ name: String, _ kind: Kind = .positionalOrKeyword, default value: V, shownAs: String? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = value
        self.defaultRepr = shownAs ?? value.pythonRepr
    }

    /// An optional parameter whose default is `None`; the closure takes an Optional
    /// (`zdict: PyBuffer?`) and receives `nil` when the argument is missing or `None`.
    public static func optional(_ name: String, _ kind: Kind = .positionalOrKeyword) -> Parameter {
        Parameter(name: name, kind: kind, defaultValue: NoneDefault(), defaultRepr: "None")
    }

    init(name: String, kind: Kind, defaultValue: (any Sendable)?, defaultRepr: String?) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.defaultRepr = defaultRepr
    }

    var isRequired: Bool { defaultValue == nil }
}

/// Marks a `None` default: converts to `nil` of whatever Optional the closure takes.
struct NoneDefault: Sendable {}

/// A Swift value that can be a parameter's default: it knows how it reads in Python.
public protocol PythonLiteral: Sendable {
    var pythonRepr: String { get }
}

extension Int: PythonLiteral { public var pythonRepr: String { String(self) } }
extension Int8: PythonLiteral { public var pythonRepr: String { String(self) } }
extension Int16: PythonLiteral { public var pythonRepr: String { String(self) } }
extension Int32: PythonLiteral { public var pythonRepr: String { String(self) } }
extension Int64: PythonLiteral { public var pythonRepr: String { String(self) } }
extension UInt: PythonLiteral { public var pythonRepr: String { String(self) } }
extension UInt8: PythonLiteral { public var pythonRepr: String { String(self) } }
extension UInt16: PythonLiteral { public var pythonRepr: String { String(self) } }
extension UInt32: PythonLiteral { public var pythonRepr: String { String(self) } }
extension UInt64: PythonLiteral { public var pythonRepr: String { String(self) } }
extension Float: PythonLiteral { public var pythonRepr: String { Double(self).pythonRepr } }
extension Double: PythonLiteral {
    public var pythonRepr: String { isFinite && self == rounded() && abs(self) < 1e16 ? String(Int(self)) + ".0" : "\(self)" }
}
extension Bool: PythonLiteral { public var pythonRepr: String { self ? "True" : "False" } }
extension String: PythonLiteral {
    public var pythonRepr: String {
        var text = "'"
        for character in self {
            switch character {
            case "\\": text += "\\\\"
            case "'": text += "\\'"
            default: text.append(character)
            }
        }
        return text + "'"
    }
}
extension Optional: PythonLiteral where Wrapped: PythonLiteral {
    public var pythonRepr: String { self?.pythonRepr ?? "None" }
}
extension Array: PythonLiteral where Element == UInt8 {
    /// Byte strings as `b'...'`.
    public var pythonRepr: String {
        let hex: [Character] = Swift.Array("0123456789abcdef")
        var text = "b'"
        for byte in self {
            if byte >= 0x20 && byte < 0x7f && byte != 0x27 && byte != 0x5c {
                text.append(Character(UnicodeScalar(byte)))
            } else {
                text += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
            }
        }
        return text + "'"
    }
}

import CPython

/// An exception class a module defines, such as `zlib.error`. Builtins raise it by
/// throwing `PyException(.module("error"), message)`.
public struct ExceptionDefinition: Sendable {
    public let name: String
    public let doc: String
    public let base: PyException.Kind

    /// `base` must be a built-in kind (`.exception` unless said otherwise).
    public init(_ name: String, doc: String = "", base: PyException.Kind = .exception) {
        self.name = name
        self.doc = doc
        self.base = base
    }
}

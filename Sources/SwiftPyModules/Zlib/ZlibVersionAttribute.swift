import SwiftPy

/// The module's `__getattr__`: `zlib.__version__` ("1.0"), which CPython 3.15 deprecates
/// with a `DeprecationWarning` pointing at the caller's line; earlier releases return it
/// silently. Any other missing name is CPython's `AttributeError`.
enum ZlibVersionAttribute {
    static let getattr = Function("__getattr__", doc: "Module attributes computed on access.",
                                  [Parameter("name", .positionalOnly)]) {
        (py: Python, name: String) throws -> String in
        guard name == "__version__" else {
            throw PyException(.attributeError, "module 'swiftpy.zlib' has no attribute '\(name)'")
        }
        if ZlibInterpreter.version(py) >= 315 {
            // Called from C, stacklevel 1 names the Python frame that read the attribute.
            let warn = try py.getAttribute(try py.importModule("warnings"), "warn")
            let category = try py.getAttribute(try py.importModule("builtins"), "DeprecationWarning")
            _ = try py.call(warn, [try "'__version__' is deprecated and slated for removal in Python 3.20".toPython(py),
                                   category])
        }
        return "1.0"
    }
}

import SwiftPy

/// Pickling refused, as CPython's `zlib` refuses it.
///
/// CPython's `Compress`/`Decompress` types cannot be instantiated, so `object.__reduce_ex__`
/// raises `TypeError: cannot pickle 'zlib.Compress' object` for protocols 2 and up (and 0/1
/// fail because the class is not a module attribute). Ours *is* a module attribute, so
/// protocols 0 and 1 would "succeed" with a useless pickle that restores an empty object.
/// Both reduce hooks therefore raise the interpreter's own message for every protocol.
enum ZlibPickling {
    /// `__reduce__` and `__reduce_ex__` methods for a type whose qualified name is
    /// `qualifiedName` (e.g. `swiftpy.zlib.Compress`).
    static func methods<T: AnyObject>(_: T.Type, qualifiedName: String) -> [Method<T>] {
        let message = "cannot pickle '\(qualifiedName)' object"
        return [
            Method("__reduce__", doc: "Raises TypeError: the object cannot be pickled.") {
                (_: Python, _: T) throws -> Int in throw PyException.typeError(message)
            },
            Method("__reduce_ex__", doc: "Raises TypeError: the object cannot be pickled.",
                   [Parameter("protocol", .positionalOnly)]) {
                (_: Python, _: T, _: PyBorrowedRef) throws -> Int in throw PyException.typeError(message)
            },
        ]
    }
}

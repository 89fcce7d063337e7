import SwiftPy

/// `swiftpy._native`: the shared object's own module. It only names the Swift modules the
/// object holds; `swiftpy/__init__.py` loads each of them from this same file.
let nativeModule = ModuleDefinition(
    name: "swiftpy._native",
    doc: "The shared object holding SwiftPy's native modules.",
    constants: [("modules", ["demo", "zlib", "blas"])]
)

@c(PyInit__native)
public func PyInit__native() -> UnsafeMutableRawPointer? { nativeModule.initialize() }

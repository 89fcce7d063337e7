import SwiftPy

/// `swiftpy._native`: the shared object's own module. It only names the Swift modules the
/// object holds; `swiftpy/__init__.py` loads each of them from this same file.
let nativeModule = ModuleDefinition(
    name: "swiftpy._native",
    doc: "The shared object holding SwiftPy's native modules.",
    functions: [
        Function("set_release_gil", doc: "Benchmark switch: when False, every SwiftPy builtin in this "
                 + "shared object keeps the GIL instead of releasing it (the 'GIL held' mode). "
                 + "Process-wide; not for production use.", [Parameter("enabled")]) {
            (_: Python, enabled: Bool) in GILRelease.isEnabled = enabled
        },
        Function("get_release_gil", doc: "Whether SwiftPy builtins release the GIL (see set_release_gil).") {
            (_: Python) in GILRelease.isEnabled
        },
    ],
    constants: [("modules", ["demo", "zlib", "blas"])],
    // Opted in after the review in docs/free-threading.md.
    freeThreadingSafe: true
)

@c(PyInit__native)
public func PyInit__native() -> UnsafeMutableRawPointer? { unsafe nativeModule.initialize() }

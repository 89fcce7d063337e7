// swiftpy-bench: the native-workload benchmark as one Swift command, no install step.
//
//   swift run -c release swiftpy-bench [--quick] [--json FILE] [--chart FILE] ...
//
// It embeds CPython (the interpreter the package was configured for), registers
// swiftpy.demo, swiftpy.zlib and swiftpy.blas as builtin modules compiled into this
// executable, puts the repository's python/ folder on sys.path, and runs the same suite
// as `python -m swiftpy.bench` (all options are passed through).
import SwiftPyEmbed
import SwiftPyModules

#if canImport(Glibc)
import Glibc
#endif

/// The repository's python/ folder, found from this source file's location at build time
/// or from the current directory.
func pythonSourceFolder() -> String {
    let fromSource = String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
    return "/" + fromSource + "/python"
}

do {
    try Interpreter.start(builtinModules: [
        ("swiftpy._native", PyInit__native), ("swiftpy.demo", PyInit_demo),
        ("swiftpy.zlib", PyInit_zlib), ("swiftpy.blas", PyInit_blas),
    ])
    let arguments = Array(CommandLine.arguments.dropFirst())
    let status = try Python.attach { py -> Int in
        let sys = try py.importModule("sys")
        let path = try py.getAttribute(sys.borrowed, "path")
        _ = try py.call(py.getAttribute(path.borrowed, "insert"), [try 0.toPython(py), try pythonSourceFolder().toPython(py)])
        let main = try py.getAttribute(py.importModule("swiftpy.bench.__main__").borrowed, "main")
        let result = try py.call(main, [try arguments.toPython(py)])
        return result.borrowed.isNone ? 0 : try Int(fromPython: result, py)
    }
    exit(Interpreter.finalize() ? Int32(truncatingIfNeeded: status) : 120)
} catch let error as PyException {
    print("swiftpy-bench: \(error)")
    exit(1)
} catch {
    print("swiftpy-bench: \(error)")
    exit(1)
}

import CPython

/// The import-time guard against an extension built with one CPython's headers and loaded
/// into another.
///
/// The C API and ABI change between minor versions (struct layouts, inline functions,
/// slot ids), so a module compiled against 3.11's headers and named for 3.14 (as a build
/// that found the distribution's `python3.pc` used to make) either fails with an
/// unreadable `undefined symbol` or, worse, loads and misbehaves. Every module declared
/// with ``ModuleDefinition`` compares the headers it was compiled with against the running
/// interpreter before CPython sees its tables, and refuses with an `ImportError` that
/// names both.
enum InterpreterCheck {
    /// The `X.Y` of a `PY_VERSION_HEX`-style number.
    static func minorVersion(hex: UInt) -> String {
        "\((hex >> 24) & 0xFF).\((hex >> 16) & 0xFF)"
    }

    /// The running interpreter's version: the first word of `Py_GetVersion()`
    /// ("3.14.10 (main, ...) [GCC ...]"), which every version has.
    static func runningVersion() -> String {
        let full = unsafe String(cString: Py_GetVersion())
        return String(full.prefix { $0 != " " })
    }

    /// `X.Y` of a full version string.
    static func minorVersion(of version: String) -> String {
        version.split(separator: ".").prefix(2).joined(separator: ".")
    }

    /// Whether the running interpreter is a free-threaded build (`t` in `sys.abiflags`).
    static func runningGILDisabled() -> Bool {
        guard let flags = unsafe PySys_GetObject("abiflags"), unsafe swiftpy_unicode_check(flags) != 0,
              let text = unsafe PyUnicode_AsUTF8(flags) else {
            PyErr_Clear()
            return false
        }
        return unsafe String(cString: text).contains("t")
    }

    /// The error for a module built for another interpreter, or nil when headers and
    /// interpreter agree.
    static func mismatch(module: String) -> PyException? {
        let built = minorVersion(hex: swiftpy_compiled_version_hex())
        let running = runningVersion()
        let builtFreeThreaded = swiftpy_compiled_gil_disabled() != 0
        let runningFreeThreaded = runningGILDisabled()
        guard built != minorVersion(of: running) || builtFreeThreaded != runningFreeThreaded else { return nil }
        let builtName = "CPython \(built)" + (builtFreeThreaded ? " (free-threaded)" : "")
        let runningName = "CPython \(running)" + (runningFreeThreaded ? " (free-threaded)" : "")
        return PyException(.importError,
            "\(module) was built with the headers of \(builtName) but is being imported by \(runningName): "
            + "rebuild it with this interpreter (e.g. `python -m pip install --force-reinstall --no-cache-dir <project>`)")
    }
}

import Synchronization
import SwiftPy
import Zlib

/// The running interpreter's `(major, minor)` as `major * 100 + minor` (e.g. 314), read once
/// from `sys.version_info`: where CPython releases' zlib modules differ, swiftpy.zlib
/// behaves as the stdlib of the interpreter it was imported into.
enum ZlibInterpreter {
    private static let cached = Atomic<Int>(0)

    static func version(_ py: Python) -> Int {
        let known = cached.load(ordering: .relaxed)
        if known != 0 { return known }
        let info = (try? py.getAttribute(try py.importModule("sys"), "version_info"))
        let major = info.flatMap { try? Int(fromPython: try py.getAttribute($0, "major"), py) } ?? 3
        let minor = info.flatMap { try? Int(fromPython: try py.getAttribute($0, "minor"), py) } ?? 0
        let version = major * 100 + minor
        cached.store(version, ordering: .relaxed)
        return version
    }

    /// The `Decompress` bookkeeping of this interpreter's stdlib.
    static func inflaterSemantics(_ py: Python) -> InflaterSemantics {
        version(py) >= 314 ? .cpython314 : .cpython39
    }

    /// "<name> must be non-negative", or 3.15's "<name> cannot be negative".
    static func negativeMessage(_ name: String, _ py: Python) -> String {
        version(py) >= 315 ? "\(name) cannot be negative" : "\(name) must be non-negative"
    }

    /// The output buffer sizes of this interpreter's stdlib compression calls.
    static func outputGrowth(_ py: Python) -> OutputGrowth {
        version(py) >= 310 ? .cpython310 : .cpython39
    }
}

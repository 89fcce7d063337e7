// swift-tools-version:6.2
//
// SwiftPy: CPython builtins written in Swift that release the GIL around native code.
//
// Build for the interpreter you run: `Scripts/swiftpm build` (or `make build`) exports
// PKG_CONFIG_PATH from that interpreter's sysconfig so SwiftPM finds ITS headers, not the
// system Python's (see docs/design.md, pitfall 1).
import Foundation
import PackageDescription

/// The interpreter the package is built for: $SWIFTPY_PYTHON, else `python3` on PATH.
/// Only executables and tests need it (for the rpath to its libpython); the extension
/// module never links libpython.
func pythonLibDir() -> String? {
    let python = ProcessInfo.processInfo.environment["SWIFTPY_PYTHON"] ?? "python3"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python, "-c", "import sysconfig; print(sysconfig.get_config_var('LIBDIR') or '')"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let dir = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return process.terminationStatus == 0 && !dir.isEmpty ? dir : nil
}

/// Executables that embed CPython load libpython from the interpreter's LIBDIR, not the
/// distribution's copy that the loader would otherwise find first.
let embedLinkerSettings: [LinkerSetting] = pythonLibDir().map {
    [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", $0])]
} ?? []

let package = Package(
    name: "SwiftPy",
    products: [
        .library(name: "SwiftPy", targets: ["SwiftPy"]),
        .library(name: "SwiftPyEmbed", targets: ["SwiftPyEmbed"]),
        .library(name: "SwiftPyZlib", targets: ["Zlib"]),
        .library(name: "SwiftPyBLAS", targets: ["BLAS"]),
        // The Python extension: one shared object that holds swiftpy.demo, swiftpy.zlib
        // and swiftpy.blas (one PyInit_* each); installed as swiftpy/_native<EXT_SUFFIX>.
        .library(name: "SwiftPyNative", type: .dynamic, targets: ["SwiftPyModules"]),
        .executable(name: "swiftpy-bench", targets: ["swiftpy-bench"]),
        .executable(name: "swiftpy-python", targets: ["swiftpy-python"]),
    ],
    targets: [
        .systemLibrary(
            name: "CPython", path: "CModules/CPython", pkgConfig: "python3",
            providers: [.apt(["python3-dev"])]),
        .systemLibrary(
            name: "CPythonEmbed", path: "CModules/CPythonEmbed", pkgConfig: "python3-embed",
            providers: [.apt(["python3-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "CModules/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // Faster engines for what gives identical results whatever the engine
        // (decompression, crc32, adler32) and for `engine="fast"` compression. No pkgConfig:
        // Debian's packages do not ship a .pc file on every release; the module maps link.
        .systemLibrary(
            name: "CLibdeflate", path: "CModules/CLibdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(
            name: "CISAL", path: "CModules/CISAL", providers: [.apt(["libisal-dev"])]),
        .systemLibrary(
            name: "COpenBLAS", path: "CModules/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // Trap reports (a C signal handler and the running builtin's name).
        .target(name: "CSwiftPyTraps"),
        // Every Swift library target builds with strict memory safety (SE-0458): each use
        // of an unsafe construct is marked `unsafe` (and explained by a `// SAFETY:` line
        // where it is not obvious); a new unmarked one is a warning, an error in CI's
        // warnings-as-errors build.
        .target(
            name: "SwiftPy", dependencies: ["CPython", "CSwiftPyTraps"],
            // `Python` (the GIL token) is ~Escapable: the library that creates it declares
            // its lifetime (`@_lifetime`); code that only receives it, a user's builtins
            // included, needs no flag. (`PyBorrowedRef` is not: parameter packs reject
            // ~Escapable elements, see README.)
            swiftSettings: [.enableExperimentalFeature("Lifetimes"), .strictMemorySafety()]),
        .target(name: "SwiftPyEmbed", dependencies: ["SwiftPy", "CPythonEmbed"], swiftSettings: [.strictMemorySafety()]),
        .target(name: "Zlib", dependencies: ["CZlib", "CLibdeflate", "CISAL"], swiftSettings: [.strictMemorySafety()]),
        .target(name: "BLAS", dependencies: ["COpenBLAS"], swiftSettings: [.strictMemorySafety()]),
        .target(
            name: "SwiftPyModules", dependencies: ["SwiftPy", "Zlib", "BLAS"], swiftSettings: [.strictMemorySafety()]),
        .executableTarget(
            name: "swiftpy-bench", dependencies: ["SwiftPyEmbed", "SwiftPyModules"],
            linkerSettings: embedLinkerSettings),

        .executableTarget(
            name: "swiftpy-python", dependencies: ["SwiftPyEmbed", "SwiftPyModules"],
            linkerSettings: embedLinkerSettings),
        .testTarget(
            name: "SwiftPyTests", dependencies: ["SwiftPyEmbed", "SwiftPyModules"],
            linkerSettings: embedLinkerSettings),
        .testTarget(name: "ZlibTests", dependencies: ["Zlib"]),
        .testTarget(name: "BLASTests", dependencies: ["BLAS"]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.0
//
// fastsum: a template for a Python package whose native code is Swift, built with SwiftPy.
// `pip install .` builds the FastSumNative product (see setup.py) into fastsum/_native.
// It depends on the SwiftPy that pip installed (swiftpy-builtins), not on a relative
// path, so a copy of this folder builds anywhere.
import Foundation
import PackageDescription

// swiftpy-dependency: begin (the same block in every SwiftPy project)
/// SwiftPy's Swift package: the copy that pip installed with swiftpy-builtins.
/// `pip install` (swiftpy.build) sets $SWIFTPY_PACKAGE_PATH; by hand (`swift build`), it is
/// `python3 -m swiftpy --package-path` ($SWIFTPY_PYTHON picks the interpreter).
/// Pure SwiftPM, without pip: replace `.package(path: swiftPyPath)` below with
///     .package(url: "https://github.com/<OWNER>/SwiftPy.git", from: "0.2.0")
/// (<OWNER> is a placeholder: SwiftPy's public repository) and set swiftPyIdentity = "SwiftPy".
func swiftPyPackagePath() -> String {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["SWIFTPY_PACKAGE_PATH"], !path.isEmpty { return path }
    let python = environment["SWIFTPY_PYTHON"] ?? "python3"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python, "-m", "swiftpy", "--package-path"]
    let pipe = Pipe()
    process.standardOutput = pipe
    if (try? process.run()) != nil {
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus == 0 && !path.isEmpty { return path }
    }
    fatalError("SwiftPy not found: `\(python) -m swiftpy --package-path` failed. "
               + "Install it (`\(python) -m pip install swiftpy-builtins`) or set SWIFTPY_PACKAGE_PATH.")
}

let swiftPyPath = swiftPyPackagePath()
/// SwiftPM names a path dependency after its folder (its identity): "SwiftPy" for the
/// copy pip installs, whatever the folder is called for a source checkout.
let swiftPyIdentity = URL(fileURLWithPath: swiftPyPath).standardizedFileURL.lastPathComponent
// swiftpy-dependency: end

let package = Package(
    name: "FastSum",
    products: [
        // The Python extension module: a dynamic library exporting PyInit__native.
        .library(name: "FastSumNative", type: .dynamic, targets: ["FastSum"]),
    ],
    dependencies: [
        .package(path: swiftPyPath),
    ],
    targets: [
        .target(name: "FastSum", dependencies: [.product(name: "SwiftPy", package: swiftPyIdentity)]),
    ],
    swiftLanguageModes: [.v6]
)

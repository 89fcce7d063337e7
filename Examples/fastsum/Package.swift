// swift-tools-version:6.0
//
// fastsum: a template for a Python package whose native code is Swift, built with SwiftPy.
// `pip install .` builds the FastSumNative product (see setup.py) into fastsum/_native.
import PackageDescription

let package = Package(
    name: "FastSum",
    products: [
        // The Python extension module: a dynamic library exporting PyInit__native.
        .library(name: "FastSumNative", type: .dynamic, targets: ["FastSum"]),
    ],
    dependencies: [
        // In your own project: .package(url: "<SwiftPy's git URL>", from: "0.1.0").
        .package(name: "SwiftPy", path: "../.."),
    ],
    targets: [
        .target(name: "FastSum", dependencies: [.product(name: "SwiftPy", package: "SwiftPy")]),
    ],
    swiftLanguageModes: [.v6]
)

import SwiftPy

/// `fastsum._native`: float64 kernels over the buffer protocol (array.array('d'), numpy
/// float64 arrays, memoryview.cast('d'), ...) that run with the GIL released.
let fastsumModule = ModuleDefinition(
    name: "fastsum._native",
    doc: "Float64 kernels written in Swift that release the GIL.",
    functions: [
        Function("total", doc: "Sum of float64 data. With release_gil=True (the default) the loop runs "
                 + "without the GIL, so other Python threads keep running.",
                 [Parameter("data", .positionalOnly), Parameter("release_gil", .keywordOnly, default: true)]) {
            (py: Python, data: PyBorrowedRef, releaseGIL: Bool) throws -> Double in
            let buffer = try float64Buffer(data, py)
            // Below ~64 KiB the GIL hand-off costs more than the loop itself.
            return try buffer.detach(py, if: releaseGIL && buffer.byteCount >= 65536) { span in
                try span.withDoubles { Kernels.sum($0) }
            }
        },

        Function("dot", doc: "Sum of a[i] * b[i] over two float64 buffers of equal length.",
                 [Parameter("a", .positionalOnly), Parameter("b", .positionalOnly)]) {
            (py: Python, a: PyBorrowedRef, b: PyBorrowedRef) throws -> Double in
            let x = try float64Buffer(a, py), y = try float64Buffer(b, py)
            guard x.byteCount == y.byteCount else {
                throw PyException(.module("ShapeError"), "lengths differ: \(x.byteCount / 8) and \(y.byteCount / 8)")
            }
            // Both buffers stay pinned and are lent to the detached closure together.
            return try py.detach(reading: [x, y], if: x.byteCount >= 65536) { buffers in
                try buffers.reading(0).withDoubles { xv in try buffers.reading(1).withDoubles { yv in Kernels.dot(xv, yv) } }
            }
        },

        Function("scale", doc: "Multiply writable float64 data by factor, in place, without the GIL.",
                 [Parameter("data", .positionalOnly), Parameter("factor")]) {
            (py: Python, data: PyBorrowedRef, factor: Double) throws in
            let buffer = try float64Buffer(data, py, writable: true)
            try buffer.detachMutating(py, if: buffer.byteCount >= 65536) { span in
                try span.withMutableDoubles { Kernels.scale($0, by: factor) }
            }
        },
    ],
    exceptions: [ExceptionDefinition("ShapeError", doc: "Inputs whose lengths do not match.", base: .valueError)],
    constants: [("VERSION", "0.1.0")]
)

/// Pins `object`'s memory and checks that it holds C-contiguous float64 items.
func float64Buffer(_ object: PyBorrowedRef, _ py: Python, writable: Bool = false) throws -> PyBuffer {
    let buffer = try PyBuffer(object, py, .init(writable: writable, typed: true))
    guard ["d", "@d", "=d", "<d"].contains(buffer.format), buffer.itemSize == 8 else {
        throw PyException.typeError("expected float64 data (format 'd'), not format '\(buffer.format)'")
    }
    return buffer
}

extension UnalignedData: PythonExceptionConvertible {
    var pythonException: PyException { .valueError("float64 data is not 8-byte aligned") }
}

@c(PyInit__native)
public func PyInit__native() -> UnsafeMutableRawPointer? { fastsumModule.initialize() }

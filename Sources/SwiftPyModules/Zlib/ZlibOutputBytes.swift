import SwiftPy
import Zlib

/// Output held in pieces (a streaming call's chunks, `parallel_compress`'s blocks), copied
/// once into the result `bytes`: detached when large (the object is private until handed
/// out), into huge pages (``PyBytesBuilder``).
enum ZlibOutputBytes {
    /// The copy runs with the GIL released from this size, unless the caller decides.
    static let detachedCopy = 1 << 20

    /// - Parameters:
    ///   - memoryMessage: the `MemoryError` text when the result cannot be allocated
    ///     (CPython's words differ between its functions and objects).
    ///   - detach: whether the copy runs with the GIL released; nil: from ``detachedCopy``.
    static func bytes(
        _ output: some PiecewiseOutput, _ py: Python, memoryMessage: String = outputBufferMemoryMessage,
        detach: Bool? = nil
    ) throws -> PyObjectRef {
        let builder = try outputAllocation(memoryMessage) { try PyBytesBuilder(capacity: output.count, py) }
        try builder.detachFilling(py, if: detach ?? (output.count >= detachedCopy)) { memory in
            unsafe memory.withUnsafeMutableBytes { unsafe output.write(into: $0) }
        }
        return try builder.finish(count: output.count, py)
    }
}

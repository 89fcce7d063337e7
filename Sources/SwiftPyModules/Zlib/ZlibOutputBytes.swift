import SwiftPy
import Zlib

/// A streaming call's output, copied once into the result `bytes`: detached when large
/// (the object is private until handed out), into huge pages (``PyBytesBuilder``).
enum ZlibOutputBytes {
    /// The copy runs with the GIL released from this size.
    static let detachedCopy = 1 << 20

    /// - Parameter memoryMessage: the `MemoryError` text when the result cannot be
    ///   allocated (CPython's words differ between its objects).
    static func bytes(_ output: OutputChunks, _ py: Python, memoryMessage: String = outputBufferMemoryMessage) throws
        -> PyObjectRef
    {
        let builder = try outputAllocation(memoryMessage) { try PyBytesBuilder(capacity: output.count, py) }
        try builder.detachFilling(py, if: output.count >= detachedCopy) { memory in
            unsafe memory.withUnsafeMutableBytes { unsafe output.write(into: $0) }
        }
        return try builder.finish(count: output.count, py)
    }
}

import SwiftPy
import Zlib

/// A `swiftpy.zlib._ZlibDecompressor` instance (CPython 3.12+'s private class that `gzip`
/// reads with, offered on every interpreter): a ``BufferedInflater``.
final class ZlibDecompressorObject: PythonClass, Sendable {
    let inflater: BufferedInflater
    let calls = StreamCalls()
    init(_ inflater: BufferedInflater) { self.inflater = inflater }
}

/// `_ZlibDecompressor(zdict=...)`: a bytes-like object, copied. Unlike CPython, which keeps
/// the object and reads it when the stream asks for a dictionary, a non-buffer is refused
/// at once, with the message CPython gives when it reads it.
struct ZlibDecompressorDictionary: FromPython, PythonLiteral {
    let bytes: [UInt8]?
    static let absent = ZlibDecompressorDictionary(bytes: nil)
    private init(bytes: [UInt8]?) { self.bytes = bytes }
    init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        bytes = unsafe try PyBuffer(object, py).withUnsafeBytes { unsafe Array($0) }
    }
    var pythonRepr: String { "b''" }
}

enum ZlibDecompressorType {
    static let type = TypeDefinition(
        ZlibDecompressorObject.self, name: "_ZlibDecompressor",
        doc: """
            Create a decompressor object for decompressing data incrementally.

              zdict
                The predefined compression dictionary. This is a sequence of bytes
                (such as a bytes object) containing subsequences that are expected
                to occur frequently in the data that is to be compressed. Those
                subsequences that are expected to be most common should come at the
                end of the dictionary. This must be the same dictionary as used by the
                compressor that produced the input data.
            """,
        new: Constructor([Parameter("wbits", default: ZlibConstants.maxWbits),
                          Parameter("zdict", default: ZlibDecompressorDictionary.absent)]) {
            (_: Python, wbits: Int32, zdict: ZlibDecompressorDictionary) throws in
            ZlibDecompressorObject(try BufferedInflater(wbits: wbits, zdict: zdict.bytes))
        },
        methods: [
            Method("decompress", doc: """
                Decompress *data*, returning uncompressed data as bytes.

                If *max_length* is nonnegative, returns at most *max_length* bytes of
                decompressed data. If this limit is reached and further output can be
                produced, *self.needs_input* will be set to ``False``. In this case, the next
                call to *decompress()* may provide *data* as b'' to obtain more of the output.

                If all of the input data was decompressed and returned (either because this
                was less than *max_length* bytes, or because *max_length* was negative),
                *self.needs_input* will be set to True.

                Attempting to decompress data after the end of stream is reached raises an
                EOFError.  Any data found after the end of the stream is ignored and saved in
                the unused_data attribute.
                """, [Parameter("data"), Parameter("max_length", default: SSize(-1))]) {
                (py: Python, this: ZlibDecompressorObject, data: PyBuffer, maxLength: SSize) throws -> PyObjectRef in
                let inflater = this.inflater
                let limit = maxLength.value
                let output = unsafe try this.calls.runInterruptibly(py, data, threshold: Threshold.stream) { input, progress in
                    unsafe try inflater.decompressedChunks(input, maxLength: limit, progress: progress)
                }
                return try ZlibOutputBytes.bytes(output, py, memoryMessage: "Insufficient memory for buffer allocation")
            },
        ] + ZlibPickling.methods(ZlibDecompressorObject.self, qualifiedName: "swiftpy.zlib._ZlibDecompressor"),
        properties: [
            Property("eof", doc: "True if the end-of-stream marker has been reached.") {
                (py: Python, this: ZlibDecompressorObject) throws in
                let inflater = this.inflater
                return try this.calls.run(py, large: false) { inflater.eof }
            },
            Property("needs_input", doc: "True if more input is needed before more decompressed data can be produced.") {
                (py: Python, this: ZlibDecompressorObject) throws in
                let inflater = this.inflater
                return try this.calls.run(py, large: false) { inflater.needsInput }
            },
            Property("unused_data", doc: "Data found after the end of the compressed stream.") {
                (py: Python, this: ZlibDecompressorObject) throws in
                let inflater = this.inflater
                return try this.calls.run(py, large: false) { inflater.unusedData }
            },
        ])
}

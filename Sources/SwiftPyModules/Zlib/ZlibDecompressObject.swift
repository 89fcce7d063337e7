import SwiftPy
import Zlib

/// A `swiftpy.zlib.Decompress` instance: an ``Inflater`` (internally locked).
final class DecompressObject: PythonClass, Sendable {
    let inflater: Inflater
    let calls = StreamCalls()
    init(_ inflater: Inflater) { self.inflater = inflater }

    func copy(_ py: Python) throws -> DecompressObject {
        let inflater = self.inflater
        return DecompressObject(try calls.run(py, large: false) { try inflater.copy() })
    }
}

enum ZlibDecompressObject {
    static let decompressobj = Function(
        "decompressobj",
        doc: """
            Return a decompressor object.

              wbits
                The window buffer size and container format.
              zdict
                The predefined compression dictionary.  This must be the same
                dictionary as used by the compressor that produced the input data.
            """,
        [Parameter("wbits", default: ZlibConstants.maxWbits, shownAs: "MAX_WBITS"),
         Parameter("zdict", default: DecompressDictionary.absent)]
    ) { (py: Python, wbits: Int32, zdict: DecompressDictionary) throws -> DecompressObject in
        let semantics = ZlibInterpreter.inflaterSemantics(py)
        guard let dictionary = zdict.bytes else {
            return unsafe DecompressObject(try Inflater(wbits: wbits, semantics: semantics))
        }
        return DecompressObject(try Inflater(wbits: wbits, zdict: dictionary, semantics: semantics))
    }

    static let type = TypeDefinition(
        DecompressObject.self, name: "Decompress", doc: "A decompressor object returned by decompressobj().",
        methods: [
            Method("decompress", doc: """
                Return a bytes object containing the decompressed version of the data.

                  data
                    The binary data to decompress.
                  max_length
                    The maximum allowable length of the decompressed data.
                    Unconsumed input data will be stored in
                    the unconsumed_tail attribute.

                After calling this function, some of the input data may still be stored in
                internal buffers for later processing.
                Call the flush() method to clear these buffers.
                """,
                   [Parameter("data", .positionalOnly), Parameter("max_length", default: SSize(0))]) {
                (py: Python, this: DecompressObject, data: PyBuffer, maxLength: SSize) throws -> PyObjectRef in
                let inflater = this.inflater
                let limit = maxLength.value
                if limit < 0 { throw PyException.valueError(ZlibInterpreter.negativeMessage("max_length", py)) }
                let output = unsafe try this.calls.runInterruptibly(py, data, threshold: Threshold.stream) {
                    unsafe try inflater.decompressedChunks($0, maxLength: limit, progress: $1)
                }
                return try ZlibOutputBytes.bytes(output, py)
            },
            Method("flush", doc: """
                Return a bytes object containing any remaining decompressed data.

                  length
                    the initial size of the output buffer.
                """,
                   [Parameter("length", .positionalOnly, default: SSize(ZlibConstants.defaultBufferSize))]) {
                (py: Python, this: DecompressObject, length: SSize) throws -> PyObjectRef in
                let inflater = this.inflater
                let size = length.value
                if size <= 0 { throw PyException.valueError("length must be greater than zero") }
                let output = try this.calls.runInterruptibly(py, large: true) {
                    try inflater.flushedChunks(length: size, progress: $0)
                }
                return try ZlibOutputBytes.bytes(output, py)
            },
            Method("copy", doc: "Return a copy of the decompression object.") {
                (py: Python, this: DecompressObject) throws -> DecompressObject in try this.copy(py)
            },
            Method("__copy__", doc: "Return a copy of the decompression object.") {
                (py: Python, this: DecompressObject) throws -> DecompressObject in try this.copy(py)
            },
            Method("__deepcopy__", doc: "Return a copy of the decompression object.",
                   [Parameter("memo", .positionalOnly)]) {
                (py: Python, this: DecompressObject, _: PyBorrowedRef) throws -> DecompressObject in try this.copy(py)
            },
        ] + ZlibPickling.methods(DecompressObject.self, qualifiedName: "swiftpy.zlib.Decompress"),
        properties: [
            Property("unused_data", doc: "Data found after the end of the compressed stream.") {
                (py: Python, this: DecompressObject) throws in
                let inflater = this.inflater
                return try this.calls.run(py, large: false) { inflater.unusedData }
            },
            Property("unconsumed_tail", doc: "Input not yet decompressed because max_length was reached.") {
                (py: Python, this: DecompressObject) throws in
                let inflater = this.inflater
                return try this.calls.run(py, large: false) { inflater.unconsumedTail }
            },
            Property("eof", doc: "True if the end of the compressed stream was reached.") {
                (py: Python, this: DecompressObject) throws in
                let inflater = this.inflater
                return try this.calls.run(py, large: false) { inflater.eof }
            },
        ])
}

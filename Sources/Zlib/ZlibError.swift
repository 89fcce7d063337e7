import CZlib

/// An error from the zlib layer, carrying everything a Python binding needs to raise the
/// same exception, with the same text, as CPython 3.11's `zlib` module.
///
/// `description` is exactly CPython's message for the same situation, e.g.
/// `Error -3 while decompressing data: incorrect header check` or `Bad compression level`.
/// `kind` says which Python exception class CPython uses (`zlib.error`, `ValueError`,
/// `MemoryError`, `OverflowError`), so the binding maps it without parsing text.
public struct ZlibError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which Python exception CPython raises for this situation.
    public enum Kind: Sendable, Equatable {
        /// `zlib.error`: zlib reported a failure, or CPython's own `zlib.error` messages
        /// such as "Bad compression level".
        case zlib
        /// `ValueError`: an argument is out of range ("Invalid initialization option",
        /// "max_length must be non-negative", "Inconsistent stream state", ...).
        case invalidArgument
        /// `MemoryError`: zlib returned `Z_MEM_ERROR` or an output buffer could not be
        /// allocated.
        case outOfMemory
        /// `OverflowError`: a length does not fit in the C type zlib takes (zdict > 4 GiB).
        case overflow
        /// `EOFError`: more data given to a decompressor whose stream has ended
        /// (CPython's `_ZlibDecompressor`: "End of stream already reached").
        case endOfStream
    }

    /// The operation that failed, worded as CPython's `zlib_error()` callers word it.
    public enum Operation: String, Sendable, Equatable, CaseIterable {
        case compressing = "while compressing data"
        case decompressing = "while decompressing data"
        case flushing = "while flushing"
        case finishingCompression = "while finishing compression"
        case finishingDecompression = "while finishing decompression"
        case preparingToDecompress = "while preparing to decompress data"
        case creatingCompressor = "while creating compression object"
        case creatingDecompressor = "while creating decompression object"
        case copyingCompressor = "while copying compression object"
        case copyingDecompressor = "while copying decompression object"
        case settingDictionary = "while setting zdict"
    }

    /// Which Python exception class this maps to.
    public var kind: Kind
    /// zlib's return code (`Z_DATA_ERROR` = -3, `Z_BUF_ERROR` = -5, ...), or `nil` when the
    /// error was raised by argument validation rather than by a zlib call.
    public var code: Int32?
    /// The operation in progress, when the message follows CPython's `zlib_error()` format.
    public var operation: Operation?
    /// zlib's `msg` (or CPython's fallback text for the code), when there was one.
    public var detail: String?
    /// The exact CPython message.
    public let description: String

    /// An error with a fixed message (CPython's `PyErr_SetString` cases).
    public init(kind: Kind, code: Int32? = nil, message: String) {
        self.kind = kind
        self.code = code
        self.operation = nil
        self.detail = nil
        self.description = message
    }

    /// An error formatted like CPython's `zlib_error()`: `Error <code> <operation>` followed
    /// by `: <detail>` when zlib set `msg` or the code has a fallback text.
    ///
    /// - Parameter zlibMessage: the stream's `msg` field at the time of the failure.
    public init(code: Int32, operation: Operation, zlibMessage: String?) {
        self.kind = .zlib
        self.code = code
        self.operation = operation
        // CPython: a version mismatch leaves msg uninitialised, so it is checked first;
        // then msg; then a fixed text for the codes zlib returns without a message.
        var detail: String?
        if code == Z_VERSION_ERROR {
            detail = "library version mismatch"
        } else if let zlibMessage {
            detail = zlibMessage
        } else {
            switch code {
            case Z_BUF_ERROR: detail = "incomplete or truncated stream"
            case Z_STREAM_ERROR: detail = "inconsistent stream state"
            case Z_DATA_ERROR: detail = "invalid input data"
            default: detail = nil
            }
        }
        self.detail = detail
        if let detail {
            // CPython formats with "%.200s": at most 200 bytes of the detail.
            let clipped = String(decoding: detail.utf8.prefix(200), as: UTF8.self)
            self.description = "Error \(code) \(operation.rawValue): \(clipped)"
        } else {
            self.description = "Error \(code) \(operation.rawValue)"
        }
    }

    // MARK: The fixed messages CPython uses.

    /// `compress()` got `Z_STREAM_ERROR` from `deflateInit2` (bad level or wbits).
    static let badCompressionLevel = ZlibError(kind: .zlib, code: Z_STREAM_ERROR, message: "Bad compression level")
    /// `compressobj()`/`decompressobj()` got `Z_STREAM_ERROR` from the init function.
    static let invalidInitializationOption = ZlibError(
        kind: .invalidArgument, code: Z_STREAM_ERROR, message: "Invalid initialization option")
    /// `copy()` on a stream that has ended, or `deflateCopy`/`inflateCopy` said so.
    static let inconsistentStreamState = ZlibError(kind: .invalidArgument, message: "Inconsistent stream state")
    /// The zdict does not fit in zlib's `uInt` length.
    static let zdictTooLong = ZlibError(kind: .overflow, message: "zdict length does not fit in an unsigned int")

    /// `_ZlibDecompressor.decompress` after the end of the stream.
    static let endOfStreamReached = ZlibError(kind: .endOfStream, message: "End of stream already reached")

    static func outOfMemory(_ message: String) -> ZlibError {
        ZlibError(kind: .outOfMemory, code: Z_MEM_ERROR, message: message)
    }

    static func invalidArgument(_ message: String) -> ZlibError {
        ZlibError(kind: .invalidArgument, message: message)
    }
}

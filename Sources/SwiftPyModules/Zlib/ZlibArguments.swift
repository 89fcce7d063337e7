import SwiftPy
import Zlib

/// Sizes (bytes of input) from which a call releases the GIL. Below them the work takes
/// about as long as the release/re-acquire pair (and far less than a contended hand-off),
/// so the call keeps the GIL, as CPython does for `crc32`/`adler32` under 5 KiB.
enum Threshold {
    /// `crc32`/`adler32`: CPython's own cut-off (zlibmodule.c releases above 5 KiB).
    static let checksum = 5 * 1024
    /// One-shot `compress`: `deflateInit2` alone costs microseconds, so release early.
    static let compress = 1024
    /// One-shot `decompress` (output can be much larger than the input).
    static let decompress = 512
    /// `Compress.compress` / `Decompress.decompress` on a chunk of a stream.
    static let stream = 2048
    /// From this size one-shot calls poll for Ctrl-C while detached: 1 MiB takes ~55 ms
    /// at libdeflate's level 9 (~18 MB/s here), so every slower input polls; at 4 MiB a
    /// level-9 `compress(engine='fast')` could run ~0.2 s without looking.
    static let interruptible = 1 << 20
    /// Piece size for interruptible checksums (checked between pieces).
    static let checksumPiece = 8 << 20
}

/// A `Py_ssize_t` argument (CPython's `n` converter): an `int` (or `__index__`) that fits
/// in 64 bits, else `OverflowError` "Python int too large to convert to C ssize_t".
struct SSize: FromPython, PythonLiteral {
    let value: Int
    init(_ value: Int) { self.value = value }
    init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        do {
            value = try Int(fromPython: object, py)
        } catch let error as PyException where error.kind == .overflowError {
            throw PyException.overflowError("Python int too large to convert to C ssize_t")
        }
    }
    var pythonRepr: String { String(value) }
}

/// The start value of `crc32`/`adler32`: any `int`, masked to 32 bits like CPython's
/// `unsigned_int(bitwise=True)` converter (so `crc32(b'', -1)` and `2**70` are accepted).
struct ChecksumStart: FromPython, PythonLiteral {
    let value: UInt32
    init(_ value: UInt32) { self.value = value }
    init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        do {
            let integer = try Int(fromPython: object, py)
            if integer < Int(Int32.min) || integer > Int(UInt32.max) { try Self.warnOutOfRange(py) }
            value = UInt32(truncatingIfNeeded: integer)
        } catch let error as PyException where error.kind == .overflowError {
            try Self.warnOutOfRange(py)
            // Wider than 64 bits (rare): mask in Python, `operator.index(v) & 0xFFFFFFFF`.
            let index = try py.call(try py.getAttribute(try py.importModule("operator").borrowed, "index").borrowed,
                                    [PyObjectRef(object)])
            let mask = try Int(0xFFFF_FFFF).toPython(py)
            let masked = try py.call(try py.getAttribute(index.borrowed, "__and__").borrowed, [mask])
            value = UInt32(truncatingIfNeeded: try Int(fromPython: masked.borrowed, py))
        }
    }
    var pythonRepr: String { String(value) }

    /// CPython 3.15 deprecates values outside `[INT_MIN, UINT_MAX]` for its bitwise
    /// `unsigned int` arguments (still masked): `DeprecationWarning: integer value out of
    /// range`, attributed to the caller's line, or raised where warnings are errors.
    private static func warnOutOfRange(_ py: Python) throws {
        guard ZlibInterpreter.version(py) >= 315 else { return }
        let category = try py.getAttribute(try py.importModule("builtins").borrowed, "DeprecationWarning")
        let warn = try py.getAttribute(try py.importModule("warnings").borrowed, "warn")
        _ = try py.call(warn.borrowed, [try "integer value out of range".toPython(py), category])
    }
}

/// `compressobj(zdict=...)`: a bytes-like object, copied (zlib copies it anyway). The
/// default shows as `None`, but like CPython 3.11 an explicit `None` is a `TypeError`.
struct CompressDictionary: FromPython, PythonLiteral {
    let bytes: [UInt8]?
    static let absent = CompressDictionary(bytes: nil)
    private init(bytes: [UInt8]?) { self.bytes = bytes }
    init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        bytes = unsafe try PyBuffer(object, py).withUnsafeBytes { unsafe Array($0) }
    }
    var pythonRepr: String { "None" }
}

/// `decompressobj(zdict=...)`: any object with the buffer protocol, copied; the default
/// (no dictionary) shows as `b''`, as in CPython.
struct DecompressDictionary: FromPython, PythonLiteral {
    let bytes: [UInt8]?
    static let absent = DecompressDictionary(bytes: nil)
    private init(bytes: [UInt8]?) { self.bytes = bytes }
    init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        let buffer: PyBuffer
        do {
            buffer = try PyBuffer(object, py)
        } catch let error as PyException where error.kind == .typeError {
            throw PyException.typeError("zdict argument must support the buffer protocol")
        }
        bytes = unsafe buffer.withUnsafeBytes { unsafe Array($0) }
    }
    var pythonRepr: String { "b''" }
}

/// Hands a non-escaping progress check (one that captures the `inout Interruption`) to
/// the Zlib layer, whose `progress` parameters are optional (hence formally escaping)
/// closures that are only called during the call.
@inline(__always)
func withProgress<R>(_ check: () throws -> Void, _ body: (@escaping () throws -> Void) throws -> R) throws -> R {
    try withoutActuallyEscaping(check) { try body($0) }
}

/// The keyword-only `engine=` of `compress`, `compressobj` and `parallel_compress`:
/// `"zlib"` (default, byte-identical to the stdlib) or `"fast"`.
struct EngineArgument: FromPython, PythonLiteral {
    let engine: CompressionEngine
    static let zlib = EngineArgument(engine: .zlib)
    private init(engine: CompressionEngine) { self.engine = engine }
    init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        let name: String
        do {
            name = try String(fromPython: object, py)
        } catch let error as PyException where error.kind == .typeError {
            throw PyException.typeError("engine must be a str, not \(object.typeName)")
        }
        guard let engine = CompressionEngine(rawValue: name) else {
            throw PyException.valueError("engine must be 'zlib' or 'fast', not '\(name)'")
        }
        self.engine = engine
    }
    var pythonRepr: String { "'\(engine.rawValue)'" }
}

/// CPython's `MemoryError` message when an output buffer cannot be allocated.
let outputBufferMemoryMessage = "Unable to allocate output buffer."

/// Runs an allocation of output memory; a `MemoryError` it raises gets `message`
/// (CPython's words for that allocation).
func outputAllocation<R: ~Copyable>(_ message: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as PyException where error.pythonTypeName == "MemoryError" {
        throw PyException.memoryError(message)
    }
}

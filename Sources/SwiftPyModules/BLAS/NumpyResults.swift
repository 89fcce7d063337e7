import SwiftPy
import Synchronization

// Results as numpy arrays, without a copy and without making numpy a dependency.
//
// Every result array is memory swiftpy.blas allocates (a `SwiftBuffer`, 64-byte aligned),
// exported through the buffer protocol. When numpy is importable, `numpy.asarray` wraps
// that export in place (the ndarray's `base` chain keeps the Buffer alive; OWNDATA is
// False, as for any ndarray over foreign memory), so callers get what numpy and
// scipy.linalg.blas return: an ndarray with the same dtype, shape and memory order.
// Without numpy the Buffer itself is the result. numpy is looked up on the first result,
// never at import, and the outcome is cached per module object.

/// What swiftpy.blas keeps per module object (one per interpreter).
///
/// SAFETY: `@unchecked Sendable` because `numpy` is only read and written with `lock`
/// held, so free-threaded builds (no GIL) cannot race on it. The lock is never held
/// while Python code runs (the import happens outside it: a thread blocked on a Swift
/// lock while attached would stall a stop-the-world pause).
final class BLASModuleState: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    /// numpy's entry points: nil until the first lookup, then `.some(nil)` when numpy is
    /// not importable.
    private var numpy: NumpyEntryPoints?? = nil

    /// The cached lookup, if done.
    var cachedNumpy: NumpyEntryPoints?? { lock.withLock { _ in numpy } }

    /// Stores a lookup unless another thread stored one first; returns the stored one.
    func storeNumpy(_ entryPoints: NumpyEntryPoints?) -> NumpyEntryPoints? {
        lock.withLock { _ in
            if let existing = numpy { return existing }
            numpy = .some(entryPoints)
            return entryPoints
        }
    }
}

/// The numpy callables results are built with.
///
/// SAFETY: `@unchecked Sendable` so the module state can hand it out under its lock. It
/// is immutable after init, and its references are used only by builtins of this module,
/// i.e. by threads attached to the interpreter that owns them.
final class NumpyEntryPoints: @unchecked Sendable {
    let asarray: PyObjectRef
    /// `numpy.float32`, `numpy.float64`, `numpy.complex64`, `numpy.complex128`: numpy's
    /// scalar types, for results numpy returns as scalars (matmul of two vectors).
    let scalarTypes: [DType: PyObjectRef]

    init(_ numpy: PyObjectRef, _ py: Python) throws {
        asarray = try py.getAttribute(numpy, "asarray")
        var types: [DType: PyObjectRef] = [:]
        for dtype in DType.allCases { types[dtype] = try py.getAttribute(numpy, dtype.name) }
        scalarTypes = types
    }
}

extension Python {
    /// numpy's entry points, or nil when numpy cannot be imported (looked up once per
    /// module object).
    var numpy: NumpyEntryPoints? {
        guard let state = moduleState(as: BLASModuleState.self) else { return nil }
        if let cached = state.cachedNumpy { return cached }
        // Any failure (not installed, or broken) means "no numpy": results stay Buffers.
        let entryPoints = (try? importModule("numpy")).flatMap { try? NumpyEntryPoints($0, self) }
        return state.storeNumpy(entryPoints)
    }

    /// The Python result for new memory: an ndarray over it when numpy is importable,
    /// else the `swiftpy.blas.Buffer` itself.
    func blasResult(_ buffer: SwiftBuffer) throws -> PyObjectRef {
        let object = try buffer.toPython(self)
        guard let numpy else { return object }
        return try call(numpy.asarray.borrowed, [object])
    }

    /// A scalar result: numpy's scalar of `dtype` (what `numpy.matmul` returns for two
    /// vectors) when numpy is importable, else a Python float or complex.
    func blasScalar(_ value: (Double, Double), _ dtype: DType) throws -> PyObjectRef {
        let number = try self.number(value, complex: dtype.isComplex)
        guard let type = numpy?.scalarTypes[dtype] else { return number }
        return try call(type.borrowed, [number])
    }
}

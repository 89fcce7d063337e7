import CPython

/// A Swift type that can be built from a Python object (a builtin's argument, a result).
///
/// Conversions are strict in the way CPython's own converters are: an `Int` parameter
/// takes `int` and objects with `__index__` but not `float`, out-of-range values raise
/// `OverflowError`, and the messages match CPython's.
///
/// Refines `SendableMetatype`: builtins are `@Sendable` closures that convert through
/// `T.init(fromPython:)`, so the conversion's metatype crosses into them.
public protocol FromPython: SendableMetatype {
    init(fromPython object: PyBorrowedRef, _ py: Python) throws
}

extension FromPython {
    /// Converts an owned object. Prefer this to `T(fromPython: ref.borrowed, py)` when
    /// `ref` is a temporary: Swift may release a temporary as soon as `.borrowed` is
    /// read, leaving the borrowed handle dangling. This keeps it alive for the call.
    @inlinable
    public init(fromPython object: PyObjectRef, _ py: Python) throws {
        self = try withExtendedLifetime(object) { try Self(fromPython: object.borrowed, py) }
    }
}

/// A Swift value that can become a Python object. Refines `SendableMetatype` for the
/// same reason as ``FromPython``.
public protocol ToPython: SendableMetatype {
    /// Returns a NEW reference (or throws). Builtins hand it straight back to C, so the
    /// common conversions allocate nothing but the Python object itself.
    func toPythonNewReference(_ py: Python) throws -> PyPointer
}

extension ToPython {
    /// The value as an owned Python object.
    public func toPython(_ py: Python) throws -> PyObjectRef {
        unsafe PyObjectRef(owned: try toPythonNewReference(py))
    }
}

extension PyObjectRef: FromPython, ToPython {
    public convenience init(fromPython object: PyBorrowedRef, _ py: Python) throws { self.init(object) }
    public func toPythonNewReference(_ py: Python) throws -> PyPointer { unsafe newReference() }
}

extension PyBorrowedRef: FromPython {
    /// Valid for the duration of the call, like any borrowed argument.
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws { self = object }
}

/// A builtin that returns nothing returns `None`.
public struct PyNone: ToPython, Sendable {
    public init() {}
    public func toPythonNewReference(_ py: Python) throws -> PyPointer { unsafe swiftpy_newref(swiftpy_none()) }
}

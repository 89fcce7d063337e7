import CPython

extension Int: FromPython, ToPython {
    /// Accepts `int` and objects with `__index__`, like CPython's `n`/`l` converters.
    /// The corresponding C function is `PyLong_AsLongAndOverflow`.
    ///
    /// Always inlined: the common case (an `int` of at most one digit) is three dependent
    /// loads (type, flags, size or tag) and the digit; everything else goes to an outlined
    /// slow path.
    @inlinable @inline(__always)
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        if let compact = unsafe Int.compactValue(object.pointer) {
            self = compact
            return
        }
        self = try Int.slowPathConvert(object)
    }

    /// Whether these headers' `int`s carry 3.12's tag: a constant, read through a property
    /// so that the branch not taken is not reported as code that never runs.
    @inlinable static var longIsTagged: Bool { SWIFTPY_LONG_IS_TAGGED != 0 }

    /// The value of an `int` (or subclass: its value is read the same way by
    /// `PyLong_AsLongAndOverflow`) of at most one digit (30 bits, or 15 on builds with small
    /// digits), read from the object itself (see `swiftpy_long_head` in the CPython shim);
    /// nil for anything else.
    @inlinable @inline(__always)
    static func compactValue(_ object: PyPointer) -> Int? {
        // SAFETY: `object` is a live object (borrowed for the call); only an `int`'s
        // fields past the header are read, at offsets the shim checks against CPython's
        // own struct at compile time.
        let type = unsafe object.pointee.ob_type.unsafelyUnwrapped
        guard unsafe type.pointee.tp_flags & SWIFTPY_TPFLAGS_LONG_SUBCLASS != 0 else { return nil }
        let head = unsafe UnsafeRawPointer(object).assumingMemoryBound(to: swiftpy_long_head.self)
        let word = unsafe head.pointee.size_or_tag
        if longIsTagged {
            guard word < SWIFTPY_LONG_COMPACT_TAG_LIMIT else { return nil }
            let sign = 1 - (word & Int(SWIFTPY_LONG_SIGN_MASK))
            return sign * Int(unsafe head.pointee.first_digit)
        }
        guard word >= -1, word <= 1 else { return nil }
        return word == 0 ? 0 : word * Int(unsafe head.pointee.first_digit)
    }

    @usableFromInline @inline(never)
    static func slowPathConvert(_ object: PyBorrowedRef) throws -> Int {
        if unsafe swiftpy_long_check(object.pointer) != 0 {
            var overflow: Int32 = 0
            let value = unsafe PyLong_AsLongAndOverflow(object.pointer, &overflow)
            if overflow != 0 { throw PyException(.overflowError, "Python int too large to convert to C long") }
            return value
        }
        return try Int.slowPathIndex(object)
    }

    @usableFromInline static func slowPathIndex(_ object: PyBorrowedRef) throws -> Int {
        guard let index = unsafe PyNumber_Index(object.pointer) else { throw PyException.fetch() }
        defer { unsafe swiftpy_decref(index) }
        var overflow: Int32 = 0
        let value = unsafe PyLong_AsLongAndOverflow(index, &overflow)
        if overflow != 0 { throw PyException(.overflowError, "Python int too large to convert to C long") }
        if value == -1, unsafe PyErr_Occurred() != nil { throw PyException.fetch() }
        return value
    }

    @inlinable
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        guard let result = unsafe PyLong_FromLong(self) else { throw PyException.fetch() }
        return unsafe result
    }
}

/// Fixed-width integers other than `Int` convert through `Int` (or `UInt64`) and raise
/// `OverflowError` with CPython's wording when the value does not fit.
public protocol PythonInteger: FixedWidthInteger, FromPython, ToPython {
    /// The C type name used in overflow messages ("int", "unsigned int", ...).
    static var cTypeName: String { get }
}

extension PythonInteger {
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        if Self.isSigned || Self.bitWidth < 64 {
            let wide: Int
            do { wide = try Int(fromPython: object, py) } catch let e as PyException where e.kind == .overflowError {
                throw PyException(.overflowError, "Python int too large to convert to C \(Self.cTypeName)")
            }
            guard let value = Self(exactly: wide) else {
                if !Self.isSigned && wide < 0 {
                    throw PyException(.overflowError, "can't convert negative int to unsigned")
                }
                throw PyException(.overflowError, "Python int too large to convert to C \(Self.cTypeName)")
            }
            self = value
        } else {
            guard let index = unsafe PyNumber_Index(object.pointer) else { throw PyException.fetch() }
            defer { unsafe swiftpy_decref(index) }
            let value = unsafe PyLong_AsUnsignedLongLong(index)
            if value == UInt64.max, unsafe PyErr_Occurred() != nil { throw PyException.fetch() }
            guard let converted = Self(exactly: value) else {
                throw PyException(.overflowError, "Python int too large to convert to C \(Self.cTypeName)")
            }
            self = converted
        }
    }

    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        let result = unsafe Self.isSigned ? PyLong_FromLongLong(Int64(self)) : PyLong_FromUnsignedLongLong(UInt64(self))
        guard let result = unsafe result else { throw PyException.fetch() }
        return unsafe result
    }
}

extension Int32: PythonInteger { public static var cTypeName: String { "int" } }
extension UInt32: PythonInteger { public static var cTypeName: String { "unsigned int" } }
extension Int64: PythonInteger { public static var cTypeName: String { "long long" } }
extension UInt64: PythonInteger { public static var cTypeName: String { "unsigned long long" } }
extension UInt: PythonInteger { public static var cTypeName: String { "unsigned long" } }
extension UInt8: PythonInteger { public static var cTypeName: String { "unsigned char" } }
extension Int16: PythonInteger { public static var cTypeName: String { "short" } }
extension Int8: PythonInteger { public static var cTypeName: String { "signed char" } }
extension UInt16: PythonInteger { public static var cTypeName: String { "unsigned short" } }

extension Double: FromPython, ToPython {
    /// Accepts `float`, `int` and objects with `__float__`/`__index__`, like CPython's `d`.
    /// The corresponding C function is `PyFloat_AsDouble`.
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        let value = unsafe PyFloat_AsDouble(object.pointer)
        if value == -1, unsafe PyErr_Occurred() != nil { throw PyException.fetch() }
        self = value
    }
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        guard let result = unsafe PyFloat_FromDouble(self) else { throw PyException.fetch() }
        return unsafe result
    }
}

extension Float: FromPython, ToPython {
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        self = Float(try Double(fromPython: object, py))
    }
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        unsafe try Double(self).toPythonNewReference(py)
    }
}

extension Bool: FromPython, ToPython {
    /// Any object, by truth value, like CPython's `p` converter.
    /// The corresponding C function is `PyObject_IsTrue`.
    @inlinable
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        let truth = unsafe PyObject_IsTrue(object.pointer)
        if truth < 0 { throw PyException.fetch() }
        self = truth != 0
    }
    @inlinable
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        unsafe swiftpy_newref(self ? swiftpy_true() : swiftpy_false())
    }
}

import CPython

extension String: FromPython, ToPython {
    /// Accepts `str` only, like CPython's `s` converter.
    /// The corresponding C function is `PyUnicode_AsUTF8AndSize`.
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        guard unsafe swiftpy_unicode_check(object.pointer) != 0 else {
            throw PyException.typeError("expected str, not \(object.typeName)")
        }
        var size = 0
        guard let utf8 = unsafe PyUnicode_AsUTF8AndSize(object.pointer, &size) else { throw PyException.fetch() }
        // SAFETY: CPython keeps the UTF-8 form alive as long as the str object, which the
        // caller holds for this call; it is copied into the Swift string here.
        self = unsafe utf8.withMemoryRebound(to: UInt8.self, capacity: size) {
            unsafe String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self)
        }
    }

    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        var copy = self
        let result = copy.withUTF8 { utf8 in
            unsafe utf8.withMemoryRebound(to: CChar.self) {
                unsafe PyUnicode_FromStringAndSize($0.baseAddress, $0.count)
            }
        }
        guard let result = unsafe result else { throw PyException.fetch() }
        return unsafe result
    }
}

/// Python `bytes`, as an owned Swift array of bytes.
///
/// `[UInt8]` converts from any bytes-like object (one copy) and to `bytes`. Use
/// ``PyBuffer`` to read a large argument without copying it.
extension Array: FromPython where Element: FromPython {
    /// A `list` or `tuple` whose items convert to `Element`. For `[UInt8]`, any
    /// bytes-like object instead (bytes, bytearray, memoryview, ...).
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        if Element.self == UInt8.self {
            let buffer = try PyBuffer(object, py)
            let bytes = unsafe buffer.withUnsafeBytes { unsafe Array<UInt8>($0) }
            self = unsafe unsafeBitCast(bytes, to: [Element].self)
            return
        }
        guard let fast = unsafe PySequence_Fast(object.pointer, "expected a list or tuple") else {
            PyErr_Clear()  // replaced by the message below
            throw PyException.typeError("expected a list or tuple, not \(object.typeName)")
        }
        defer { unsafe swiftpy_decref(fast) }
        let count = unsafe PySequence_Size(fast)
        var result: [Element] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            guard let item = unsafe PySequence_GetItem(fast, i) else { throw PyException.fetch() }
            defer { unsafe swiftpy_decref(item) }
            unsafe result.append(try Element(fromPython: PyBorrowedRef(item), py))
        }
        self = result
    }
}

extension Array: ToPython where Element: ToPython {
    /// A `list` of the converted items; `[UInt8]` becomes `bytes`.
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        if Element.self == UInt8.self {
            let bytes = unsafe unsafeBitCast(self, to: [UInt8].self)
            let result = unsafe bytes.withUnsafeBytes {
                unsafe PyBytes_FromStringAndSize($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count)
            }
            guard let result = unsafe result else { throw PyException.fetch() }
            return unsafe result
        }
        return unsafe try makeSequence(self, PyList_New, swiftpy_list_set_item, py)
    }
}

extension Optional: FromPython where Wrapped: FromPython {
    /// `None` becomes `nil`.
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        self = object.isNone ? nil : try Wrapped(fromPython: object, py)
    }
}

extension Optional: ToPython where Wrapped: ToPython {
    /// `nil` becomes `None`.
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        guard let self else { return unsafe swiftpy_newref(swiftpy_none()) }
        return unsafe try self.toPythonNewReference(py)
    }
}

extension Dictionary: FromPython where Key: FromPython, Value: FromPython {
    /// A `dict` whose keys and values convert.
    public init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        guard unsafe swiftpy_dict_check(object.pointer) != 0 else {
            throw PyException.typeError("expected dict, not \(object.typeName)")
        }
        var result: [Key: Value] = [:]
        var position = 0
        var key: PyPointer? = nil, value: PyPointer? = nil
        while unsafe PyDict_Next(object.pointer, &position, &key, &value) != 0 {
            guard let key = unsafe key, let value = unsafe value else { continue }
            // Keep both alive while converting: a key's __index__ could mutate the dict.
            let keyRef = unsafe PyObjectRef(borrowed: key), valueRef = unsafe PyObjectRef(borrowed: value)
            result[try Key(fromPython: keyRef, py)] = try Value(fromPython: valueRef, py)
        }
        self = result
    }
}

extension Dictionary: ToPython where Key: ToPython, Value: ToPython {
    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        let dict = unsafe try py.checked(PyDict_New())
        for (key, value) in self {
            let k = try key.toPython(py), v = try value.toPython(py)
            if unsafe PyDict_SetItem(dict.pointer, k.pointer, v.pointer) != 0 { throw PyException.fetch() }
        }
        return unsafe dict.newReference()
    }
}

/// A Python `tuple` built from Swift values of different types: `PyTuple(1, "a", 2.5)`.
/// Swift tuples cannot conform to protocols; this wrapper carries one through a pack.
public struct PyTuple<each T: ToPython>: ToPython {
    public let values: (repeat each T)
    public init(_ values: repeat each T) { self.values = (repeat each values) }

    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        var items: [PyObjectRef] = []
        for value in repeat each values { items.append(try value.toPython(py)) }
        guard let tuple = unsafe PyTuple_New(items.count) else { throw PyException.fetch() }
        for (i, item) in items.enumerated() { unsafe swiftpy_tuple_set_item(tuple, i, item.newReference()) }
        return unsafe tuple
    }
}

/// A Python `tuple` of any number of values of one type: `PyTupleOf(shape)`.
public struct PyTupleOf<Element: ToPython>: ToPython {
    public let elements: [Element]
    public init(_ elements: [Element]) { self.elements = elements }

    public func toPythonNewReference(_ py: Python) throws -> PyPointer {
        unsafe try makeSequence(elements, PyTuple_New, swiftpy_tuple_set_item, py)
    }
}

/// Builds a new list or tuple (`create` is `PyList_New` or `PyTuple_New`, `set` the
/// matching reference-stealing setter) from converted elements; on a failed conversion
/// the half-built sequence is released and the error rethrown.
func makeSequence<Element: ToPython>(
    _ elements: [Element], _ create: (Int) -> PyPointer?, _ set: (PyPointer?, Int, PyPointer?) -> Void, _ py: Python
) throws -> PyPointer {
    guard let sequence = unsafe create(elements.count) else { throw PyException.fetch() }
    for (i, element) in elements.enumerated() {
        do {
            unsafe set(sequence, i, try element.toPythonNewReference(py))
        } catch {
            unsafe swiftpy_decref(sequence)
            throw error
        }
    }
    return unsafe sequence
}

extension Python {
    /// Reads a `tuple` (or list) of exactly `types.count` items into Swift values.
    public func unpackTuple<each T: FromPython>(_ object: PyObjectRef, as types: repeat (each T).Type) throws -> (repeat each T) {
        let items = try [PyObjectRef](fromPython: object, self)
        var expected = 0
        for _ in repeat (each T).self { expected += 1 }
        guard items.count == expected else {
            throw PyException.valueError("expected a tuple of \(expected) items, got \(items.count)")
        }
        var index = 0
        func next<U: FromPython>(_ type: U.Type) throws -> U {
            defer { index += 1 }
            return try U(fromPython: items[index], self)
        }
        return (repeat try next((each T).self))
    }
}

import SwiftPy

/// A scalar argument of the complex routines (`alpha`, `beta`, `a`): an int, float or
/// complex, or any object with numeric `.real` and `.imag` (numpy scalars), as scipy
/// accepts.
struct ComplexArgument: FromPython, PythonLiteral {
    let value: (Double, Double)

    /// A default value (`beta=0.0`, `a=1.0`), shown as a float in the signature as scipy does.
    init(_ real: Double) { value = (real, 0) }

    var pythonRepr: String { value.0.pythonRepr }

    init(fromPython object: PyBorrowedRef, _ py: Python) throws {
        if let real = try? Double(fromPython: object, py) {
            value = (real, 0)
            return
        }
        guard let real = try? Double(fromPython: py.getAttribute(object, "real"), py),
              let imaginary = try? Double(fromPython: py.getAttribute(object, "imag"), py) else {
            throw PyException.typeError("must be a complex number, not \(object.typeName)")
        }
        value = (real, imaginary)
    }
}

extension Python {
    /// A Python `float`, or a `complex` when `complex` is set (what scipy's dot and norm
    /// routines return).
    func number(_ value: (Double, Double), complex: Bool) throws -> PyObjectRef {
        guard complex else { return try value.0.toPython(self) }
        let type = try getAttribute(importModule("builtins"), "complex")
        return try call(type.borrowed, [try value.0.toPython(self), try value.1.toPython(self)])
    }
}

extension Python {
    /// `warnings.warn("Casting complex values to real discards the imaginary part",
    /// numpy.exceptions.ComplexWarning)`, numpy's warning for that cast (RuntimeWarning
    /// without numpy). Throws when warnings are errors.
    func warnDiscardingImaginaryParts() throws {
        let numpyCategory = try? getAttribute(getAttribute(importModule("numpy"), "exceptions"), "ComplexWarning")
        let category = try numpyCategory ?? getAttribute(importModule("builtins"), "RuntimeWarning")
        let warn = try getAttribute(importModule("warnings"), "warn")
        _ = try call(warn.borrowed, [try "Casting complex values to real discards the imaginary part".toPython(self), category],
                     kwargs: ["stacklevel": try 2.toPython(self)])
    }
}

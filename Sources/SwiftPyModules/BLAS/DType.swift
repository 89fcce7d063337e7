import BLAS

/// The element types swiftpy.blas computes with: numpy's float32, float64, complex64 and
/// complex128 (struct formats `f`, `d`, `Zf`, `Zd`).
enum DType: Sendable, Hashable, CaseIterable {
    case float32, float64, complex64, complex128

    var format: String {
        switch self {
        case .float32: "f"
        case .float64: "d"
        case .complex64: "Zf"
        case .complex128: "Zd"
        }
    }

    var itemSize: Int {
        switch self {
        case .float32: 4
        case .float64, .complex64: 8
        case .complex128: 16
        }
    }

    /// numpy's name, also the name of its scalar type (`numpy.float64`).
    var name: String {
        switch self {
        case .float32: "float32"
        case .float64: "float64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        }
    }

    var isComplex: Bool { self == .complex64 || self == .complex128 }
    var isDoublePrecision: Bool { self == .float64 || self == .complex128 }

    /// numpy's promotion for two operands of a product (float32 @ complex64 → complex64,
    /// float64 @ complex64 → complex128, …).
    static func promoted(_ a: DType, _ b: DType) -> DType {
        switch (a.isComplex || b.isComplex, a.isDoublePrecision || b.isDoublePrecision) {
        case (false, false): .float32
        case (false, true): .float64
        case (true, false): .complex64
        case (true, true): .complex128
        }
    }

    /// The dtype of a native-order single type code (see `PyBuffer.nativeFormatCode`).
    init?(code: UInt8?, itemSize: Int) {
        switch code {
        case UInt8(ascii: "d") where itemSize == 8: self = .float64
        case UInt8(ascii: "f") where itemSize == 4: self = .float32
        default: return nil
        }
    }

    /// The complex dtypes from a full format string: `Zd`/`Zf`, optionally with a
    /// native-order prefix (`<`, `=`, `@`).
    init?(complexFormat format: String, itemSize: Int) {
        var text = Substring(format)
        if let first = text.first, "<=@".contains(first) { text = text.dropFirst() }
        switch text {
        case "Zd" where itemSize == 16: self = .complex128
        case "Zf" where itemSize == 8: self = .complex64
        default: return nil
        }
    }

    /// Reads one element as (real, imaginary).
    func load(_ p: UnsafeRawPointer) -> (Double, Double) {
        switch self {
        case .float32: unsafe (Double(p.loadUnaligned(as: Float.self)), 0)
        case .float64: unsafe (p.loadUnaligned(as: Double.self), 0)
        case .complex64: unsafe (Double(p.loadUnaligned(as: Float.self)), Double(p.loadUnaligned(fromByteOffset: 4, as: Float.self)))
        case .complex128: unsafe (p.loadUnaligned(as: Double.self), p.loadUnaligned(fromByteOffset: 8, as: Double.self))
        }
    }

    /// Writes one element (the imaginary part is dropped for real types).
    func store(_ value: (Double, Double), _ p: UnsafeMutableRawPointer) {
        switch self {
        case .float32: unsafe p.storeBytes(of: Float(value.0), as: Float.self)
        case .float64: unsafe p.storeBytes(of: value.0, as: Double.self)
        case .complex64:
            unsafe p.storeBytes(of: Float(value.0), as: Float.self)
            unsafe p.storeBytes(of: Float(value.1), toByteOffset: 4, as: Float.self)
        case .complex128:
            unsafe p.storeBytes(of: value.0, as: Double.self)
            unsafe p.storeBytes(of: value.1, toByteOffset: 8, as: Double.self)
        }
    }

    /// Whether values of this dtype convert to `target` without losing a part (numpy's
    /// "same kind": complex never becomes real).
    func converts(to target: DType) -> Bool { !isComplex || target.isComplex }
}

/// The element types of the four dtypes, with the conversions the Python layer needs.
protocol DTypeElement: BLASElement {
    static var dtype: DType { get }
    init(_ value: (Double, Double))
    var pair: (Double, Double) { get }
}

extension Float: DTypeElement {
    static var dtype: DType { .float32 }
    init(_ value: (Double, Double)) { self = Float(value.0) }
    var pair: (Double, Double) { (Double(self), 0) }
}

extension Double: DTypeElement {
    static var dtype: DType { .float64 }
    init(_ value: (Double, Double)) { self = value.0 }
    var pair: (Double, Double) { (self, 0) }
}

extension Complex: DTypeElement where Real: DTypeElement {
    static var dtype: DType { Real.self == Float.self ? .complex64 : .complex128 }
    init(_ value: (Double, Double)) { self.init(Real((value.0, 0)), Real((value.1, 0))) }
    var pair: (Double, Double) { (real.pair.0, imaginary.pair.0) }
}

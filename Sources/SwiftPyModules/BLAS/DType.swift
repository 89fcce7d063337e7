/// The two element types swiftpy.blas computes with.
enum DType: Sendable, Hashable, CaseIterable {
    case float32, float64

    var format: String { self == .float64 ? "d" : "f" }
    var itemSize: Int { self == .float64 ? 8 : 4 }
    var name: String { self == .float64 ? "float64" : "float32" }

    /// The dtype of a native-order single type code (see `PyBuffer.nativeFormatCode`).
    init?(code: UInt8?, itemSize: Int) {
        switch code {
        case UInt8(ascii: "d") where itemSize == 8: self = .float64
        case UInt8(ascii: "f") where itemSize == 4: self = .float32
        default: return nil
        }
    }
}

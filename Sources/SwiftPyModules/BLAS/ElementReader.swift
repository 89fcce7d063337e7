/// Reads one element of a struct-module numeric format as a Double.
struct ElementReader {
    enum Kind { case signed, unsigned, float, bool }
    let kind: Kind
    let size: Int
    let swapped: Bool

    init?(format: String, itemSize: Int) {
        var chars = Array(format.utf8)
        var swapped = false
        if let first = chars.first, "@=<>!".utf8.contains(first) {
            swapped = first == UInt8(ascii: ">") || first == UInt8(ascii: "!")
            chars.removeFirst()
        }
        guard chars.count == 1 else { return nil }
        switch chars[0] {
        case UInt8(ascii: "b"), UInt8(ascii: "h"), UInt8(ascii: "i"), UInt8(ascii: "l"), UInt8(ascii: "q"), UInt8(ascii: "n"):
            kind = .signed
        case UInt8(ascii: "B"), UInt8(ascii: "H"), UInt8(ascii: "I"), UInt8(ascii: "L"), UInt8(ascii: "Q"), UInt8(ascii: "N"):
            kind = .unsigned
        case UInt8(ascii: "f"), UInt8(ascii: "d"): kind = .float
        case UInt8(ascii: "?"): kind = .bool
        default: return nil
        }
        guard [1, 2, 4, 8].contains(itemSize), kind != .float || itemSize >= 4 else { return nil }
        self.size = itemSize
        self.swapped = swapped
    }

    func read(_ p: UnsafeRawPointer) -> Double {
        var bits: UInt64 = 0
        switch size {
        case 1: bits = unsafe UInt64(p.load(as: UInt8.self))
        case 2: let v = unsafe p.loadUnaligned(as: UInt16.self); bits = UInt64(swapped ? v.byteSwapped : v)
        case 4: let v = unsafe p.loadUnaligned(as: UInt32.self); bits = UInt64(swapped ? v.byteSwapped : v)
        default: let v = unsafe p.loadUnaligned(as: UInt64.self); bits = swapped ? v.byteSwapped : v
        }
        switch kind {
        case .bool: return bits != 0 ? 1 : 0
        case .unsigned: return Double(bits)
        case .float: return size == 4 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))) : Double(bitPattern: bits)
        case .signed:
            let shift = UInt64(64 - 8 * size)
            return Double(Int64(bitPattern: bits << shift) >> Int64(shift))
        }
    }
}

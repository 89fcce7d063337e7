/// FNV-1a, 64-bit: a pure-Swift loop standing for "the user's own Swift code" in the
/// demo. Chosen because it is byte-serial (no SIMD shortcut), so its speed is the
/// loop's and two threads on two cores show exactly what releasing the GIL buys.
enum FNV1a {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    static func hash(_ bytes: RawSpan, seed: UInt64 = offsetBasis) -> UInt64 {
        var hash = seed
        unsafe bytes.withUnsafeBytes { buffer in
            for unsafe byte in unsafe buffer {
                hash = (hash ^ UInt64(byte)) &* prime
            }
        }
        return hash
    }
}

/// Floating-point operations of a matrix product `(m × k)·(k × n)`: `2·m·n·k`, saturating
/// at `Int.max` and 0 for negative sizes.
///
/// The Python layer compares this with its GIL-release threshold: releasing and re-taking
/// the GIL costs ~50 ns uncontended but 70–160 µs when another thread waits for it, so tiny
/// products (n ≤ 8 is ~1 kflop, ~100 ns) should keep the GIL.
@inlinable
public func flops(m: Int, n: Int, k: Int) -> Int {
    guard m > 0, n > 0, k > 0 else { return 0 }
    let (mn, o1) = m.multipliedReportingOverflow(by: n)
    let (mnk, o2) = mn.multipliedReportingOverflow(by: k)
    let (total, o3) = mnk.multipliedReportingOverflow(by: 2)
    return o1 || o2 || o3 ? .max : total
}

/// Floating-point operations of a matrix–vector product `(m × n)·n`: `2·m·n`, saturating.
@inlinable
public func flops(m: Int, n: Int) -> Int {
    flops(m: m, n: n, k: 1)
}

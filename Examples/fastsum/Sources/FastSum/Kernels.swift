/// The numeric kernels: plain Swift over raw memory, no Python in sight. They run with
/// the GIL released, so Python threads calling them in parallel use every core.
enum Kernels {
    /// Sum of `count` doubles; four accumulators so the loop pipelines and vectorises.
    static func sum(_ values: UnsafeBufferPointer<Double>) -> Double {
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        let n = values.count
        while i + 4 <= n {
            s0 += values[i]; s1 += values[i + 1]; s2 += values[i + 2]; s3 += values[i + 3]
            i += 4
        }
        while i < n { s0 += values[i]; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Sum of a[i] * b[i] over equally long inputs.
    static func dot(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        precondition(a.count == b.count)  // checked (and reported to Python) by the caller
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var i = 0
        let n = a.count
        while i + 4 <= n {
            s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
            i += 4
        }
        while i < n { s0 += a[i] * b[i]; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// Multiplies every value by `factor`, in place.
    static func scale(_ values: UnsafeMutableBufferPointer<Double>, by factor: Double) {
        for i in values.indices { values[i] *= factor }
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes as doubles. The caller checked the exporter's format ('d'); exporters
    /// align their items, and unaligned memory is refused rather than misread.
    func withDoubles<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) throws -> R {
        guard isEmpty || Int(bitPattern: baseAddress) % MemoryLayout<Double>.alignment == 0 else {
            throw UnalignedData()
        }
        return try body(isEmpty ? UnsafeBufferPointer(start: nil, count: 0) : assumingMemoryBound(to: Double.self))
    }
}

extension RawSpan {
    func withDoubles<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) throws -> R {
        try withUnsafeBytes { try $0.withDoubles(body) }
    }
}

extension MutableRawSpan {
    mutating func withMutableDoubles<R>(_ body: (UnsafeMutableBufferPointer<Double>) throws -> R) throws -> R {
        try withUnsafeMutableBytes { raw in
            guard raw.isEmpty || Int(bitPattern: raw.baseAddress) % MemoryLayout<Double>.alignment == 0 else {
                throw UnalignedData()
            }
            return try body(raw.isEmpty ? UnsafeMutableBufferPointer(start: nil, count: 0) : raw.assumingMemoryBound(to: Double.self))
        }
    }
}

/// A Swift error with no Python in it; FastSumModule.swift maps it to ValueError.
struct UnalignedData: Error {}

import BLAS
import SwiftPy

/// A 0-, 1- or 2-D array argument pinned for the call: its memory (the caller's, or a
/// converted copy), element type, shape and strides in bytes.
///
/// Used with the GIL held only; detached code receives a ``PinnedArray`` made from it.
@safe struct ArrayArgument {
    /// Keeps the memory alive and pinned: the caller's `PyBuffer`, or the `SwiftBuffer`
    /// holding a converted copy.
    let owner: AnyObject?
    let dtype: DType
    let ndim: Int
    /// Extents of dimensions 0 and 1 (1 for missing dimensions).
    let rows: Int
    let columns: Int
    /// Byte strides of dimensions 0 and 1 (0 for missing dimensions).
    let rowStride: Int
    let columnStride: Int
    let address: UnsafeMutableRawPointer?
    /// Whether `address` is the caller's own memory (no conversion happened).
    let isCallersMemory: Bool
    let isReadOnly: Bool

    var pinned: PinnedArray {
        unsafe PinnedArray(address: address, rows: rows, columns: columns, rowStride: rowStride, columnStride: columnStride)
    }

    /// Number of elements along dimension 0 of a 1-D array.
    var count: Int { rows }

    var shapeDescription: String {
        switch ndim {
        case 0: "()"
        case 1: "(\(rows),)"
        default: "(\(rows), \(columns))"
        }
    }

    /// Whether the elements are contiguous in Fortran (column-major) order.
    var isFortranContiguous: Bool {
        let size = dtype.itemSize
        if rows <= 1 || columns <= 1 {
            // A vector: contiguous along its long dimension.
            if rows > 1 { return rowStride == size }
            if columns > 1 { return columnStride == size }
            return true
        }
        return rowStride == size && columnStride == size &* rows
    }

    /// Whether the elements are contiguous in C (row-major) order.
    var isCContiguous: Bool {
        let size = dtype.itemSize
        if rows <= 1 || columns <= 1 {
            if rows > 1 { return rowStride == size }
            if columns > 1 { return columnStride == size }
            return true
        }
        return columnStride == size && rowStride == size &* columns
    }

    /// The lowest and one-past-highest byte addresses the array touches (nil if empty).
    var byteRange: (low: UInt, high: UInt)? {
        guard rows > 0, columns > 0, let address = unsafe address else { return nil }
        var low = UInt(bitPattern: address), high = low
        func extend(_ extent: Int, _ stride: Int) -> Bool {
            guard extent > 1 else { return true }
            // Validated by the BLAS views before use; here stay trap-free on any input.
            let (span, overflow) = (extent - 1).multipliedReportingOverflow(by: stride)
            if overflow { return false }
            if span < 0 { low = low &- UInt(span.magnitude) } else { high = high &+ UInt(span) }
            return true
        }
        guard extend(rows, rowStride), extend(columns, columnStride) else { return (0, UInt.max) }
        return (low, high &+ UInt(dtype.itemSize))
    }

    /// Runs `body` while the memory of `arrays` is certainly alive (pinned buffers and
    /// converted copies are not released before `body` returns).
    static func keepingAlive<R>(_ a: ArrayArgument, _ b: ArrayArgument? = nil, _ c: ArrayArgument? = nil,
                                _ d: ArrayArgument? = nil, _ body: () throws -> R) rethrows -> R {
        try withExtendedLifetime(a.owner) {
            try withExtendedLifetime(b?.owner) {
                try withExtendedLifetime(c?.owner) {
                    try withExtendedLifetime(d?.owner) { try body() }
                }
            }
        }
    }

    func overlaps(_ other: ArrayArgument) -> Bool {
        guard let a = byteRange, let b = other.byteRange else { return false }
        return a.low < b.high && b.low < a.high
    }
}

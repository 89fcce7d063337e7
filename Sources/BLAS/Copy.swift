/// Copies every element of `source` into `destination` (same shape, any layouts).
///
/// This is the helper for operands CBLAS cannot use in place (non-unit inner strides,
/// negative strides, misaligned buffers): copy into a contiguous buffer, or copy a
/// contiguous result back into a strided output. If the two share memory the source is
/// first copied aside, so the result is as if it had been read entirely before any write.
///
/// - Throws: ``BLASError`` when the shapes differ, `destination` has elements that share
///   memory, or a temporary cannot be allocated.
@inlinable
public func copy<T: BLASElement>(_ source: MatrixView<T>, into destination: MutableMatrixView<T>) throws(BLASError) {
    guard source.rows == destination.rows, source.columns == destination.columns else {
        throw .outputShape("copy", expected: (source.rows, source.columns), got: (destination.rows, destination.columns))
    }
    guard _hasDistinctElements(destination.view) else { throw .overlappingOutput("copy") }
    if source.count == 0 { return }
    let s = try _Scratch<T>(count: source.count, routine: "copy")
    defer { s.free() }
    unsafe _gather(source, into: s.pointer)
    unsafe _scatter(s.pointer, into: destination)
}

/// Copies every element of `source` into `destination` (same length, any strides).
///
/// - Throws: ``BLASError`` when the lengths differ, `destination` has a zero stride with
///   more than one element, or a temporary cannot be allocated.
@inlinable
public func copy<T: BLASElement>(_ source: VectorView<T>, into destination: MutableVectorView<T>) throws(BLASError) {
    guard source.count == destination.count else {
        throw .lengthMismatch("copy", "destination", expected: source.count, got: destination.count)
    }
    guard destination.hasDistinctElements else { throw .overlappingOutput("copy") }
    if source.count == 0 { return }
    let s = try _Scratch<T>(count: source.count, routine: "copy")
    defer { s.free() }
    unsafe _gather(source, into: s.pointer)
    unsafe _scatter(s.pointer, into: destination)
}

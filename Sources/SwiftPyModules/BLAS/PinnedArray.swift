import BLAS

/// The memory of an ``ArrayArgument`` described with plain values, for detached code.
///
/// SAFETY: `@unchecked Sendable` because it carries a raw address across the detach
/// boundary. Every use is inside `ArrayArgument.keepingAlive(arguments) { py.detach { ... } }`
/// where `arguments` hold the pinned `PyBuffer`s (or the `SwiftBuffer`s of converted
/// copies), so the memory stays valid and in place for the whole detached call. Python
/// code cannot run meanwhile on this thread, and a pinned exporter refuses to resize.
@safe struct PinnedArray: @unchecked Sendable {
    let address: UnsafeMutableRawPointer?
    let rows: Int
    let columns: Int
    let rowStride: Int
    let columnStride: Int

    func matrix<T: BLASElement>(_: T.Type) throws(BLASError) -> MatrixView<T> {
        unsafe try MatrixView(bytes: UnsafeRawPointer(address), rows: rows, columns: columns,
                       rowByteStride: rowStride, columnByteStride: columnStride)
    }

    func mutableMatrix<T: BLASElement>(_: T.Type) throws(BLASError) -> MutableMatrixView<T> {
        unsafe try MutableMatrixView(bytes: address, rows: rows, columns: columns,
                              rowByteStride: rowStride, columnByteStride: columnStride)
    }

    /// Dimension 0 as a vector.
    func vector<T: BLASElement>(_: T.Type) throws(BLASError) -> VectorView<T> {
        unsafe try VectorView(bytes: UnsafeRawPointer(address), count: rows, byteStride: rowStride)
    }

    func mutableVector<T: BLASElement>(_: T.Type) throws(BLASError) -> MutableVectorView<T> {
        unsafe try MutableVectorView(bytes: address, count: rows, byteStride: rowStride)
    }

    /// A strided slice of dimension 0 with BLAS's conventions: `count` elements starting
    /// at `offset`, every `increment`; a negative increment walks them backwards from the
    /// last one (the element at `offset + (count-1)·|increment|` comes first). The caller
    /// has checked that the slice lies inside the array.
    func slice(offset: Int, increment: Int, count: Int) -> PinnedArray {
        let step = increment.magnitude
        let firstIndex = increment < 0 ? offset + (count > 0 ? (count - 1) * Int(step) : 0) : offset
        let start = unsafe address.map { unsafe $0 + firstIndex * rowStride }
        return unsafe PinnedArray(address: start, rows: count, columns: 1, rowStride: increment * rowStride, columnStride: 0)
    }
}

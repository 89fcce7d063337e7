/// How a matrix view's memory maps onto what CBLAS accepts.
public enum MatrixLayout: Sendable, Equatable {
    /// Unit column stride and `leadingDimension` ≥ max(1, columns) elements between rows:
    /// usable as a `CblasRowMajor` operand (or a transposed `CblasColMajor` one).
    case rowMajor(leadingDimension: Int)
    /// Unit row stride and `leadingDimension` ≥ max(1, rows) elements between columns:
    /// usable as a `CblasColMajor` operand (or a transposed `CblasRowMajor` one).
    case columnMajor(leadingDimension: Int)
    /// Anything else — non-unit inner strides, negative or zero strides, a leading dimension
    /// beyond Int32, or a misaligned base. The routines copy such operands into a
    /// contiguous temporary (inputs) or copy in and back out (outputs).
    case strided

    /// Whether CBLAS can use the operand in place.
    @inlinable
    public var isBLASCompatible: Bool {
        if case .strided = self { return false }
        return true
    }

    @inlinable
    var transposed: MatrixLayout {
        switch self {
        case .rowMajor(let ld): return .columnMajor(leadingDimension: ld)
        case .columnMajor(let ld): return .rowMajor(leadingDimension: ld)
        case .strided: return .strided
        }
    }
}

/// A non-owning, read-only, typed view of a strided matrix: `rows × columns` elements,
/// element (i, j) at `baseAddress + (i·rowStride + j·columnStride)·MemoryLayout<Element>.size`.
///
/// Built by the Python layer from a pinned `Py_buffer` (pointer, shape, byte strides): the
/// initialiser validates the description once and classifies the ``layout``, so each
/// routine only switches on a precomputed value. The view does not keep the memory alive:
/// the caller guarantees it outlives every use (e.g. by holding the buffer pinned). It is
/// not `Sendable` for the same reason — build it inside the detached closure that owns the
/// pinned buffer.
///
/// Strides of dimensions of extent ≤ 1 are normalised to 0 (they are never used).
@safe public struct MatrixView<Element: BLASElement> {
    /// Address of element (0, 0); a placeholder, never read, when the matrix is empty.
    public let baseAddress: UnsafeRawPointer
    /// Number of rows (≥ 0).
    public let rows: Int
    /// Number of columns (≥ 0).
    public let columns: Int
    /// Distance in elements between consecutive rows (may be negative or zero).
    public let rowStride: Int
    /// Distance in elements between consecutive columns (may be negative or zero).
    public let columnStride: Int
    /// Whether and how CBLAS can use the memory in place.
    public let layout: MatrixLayout
    @usableFromInline let extent: _Extent

    @inlinable
    init(
        base: UnsafeRawPointer, rows: Int, columns: Int, rowStride: Int, columnStride: Int,
        layout: MatrixLayout, extent: _Extent
    ) {
        unsafe self.baseAddress = unsafe base
        self.rows = rows
        self.columns = columns
        self.rowStride = rowStride
        self.columnStride = columnStride
        self.layout = layout
        self.extent = extent
    }

    /// Creates a view from a raw pointer, a shape and strides in BYTES — exactly what a
    /// `Py_buffer` holds — and validates them.
    ///
    /// - Throws: ``BLASError`` when a dimension is negative, the pointer is null for a
    ///   non-empty matrix, a stride is not a multiple of the element size, or the described
    ///   memory wraps around the address space. Negative, zero and non-unit strides and
    ///   misaligned pointers are valid: they make the ``layout`` `.strided`.
    @inlinable
    public init(
        bytes start: UnsafeRawPointer?, rows: Int, columns: Int,
        rowByteStride: Int, columnByteStride: Int
    ) throws(BLASError) {
        let g = try _validateMatrix(
            address: UInt(bitPattern: start), rows: rows, columns: columns,
            rowByteStride: rowByteStride, columnByteStride: columnByteStride,
            size: MemoryLayout<Element>.size, alignment: MemoryLayout<Element>.alignment)
        unsafe self.init(
            base: start ?? UnsafeRawPointer(_emptyPlaceholder()), rows: rows, columns: columns,
            rowStride: g.rowStride, columnStride: g.columnStride, layout: g.layout,
            extent: g.extent)
    }

    /// Creates a view from a typed pointer and strides in ELEMENTS.
    @inlinable
    public init(
        start: UnsafePointer<Element>?, rows: Int, columns: Int, rowStride: Int, columnStride: Int
    ) throws(BLASError) {
        let size = MemoryLayout<Element>.size
        unsafe try self.init(
            bytes: UnsafeRawPointer(start), rows: rows, columns: columns,
            rowByteStride: try _byteStride(rowStride, size: size),
            columnByteStride: try _byteStride(columnStride, size: size))
    }

    /// Creates a view of a contiguous buffer holding a `rows × columns` matrix in the given
    /// order. Throws when the buffer's count is not `rows · columns`.
    @inlinable
    public init(
        _ buffer: UnsafeBufferPointer<Element>, rows: Int, columns: Int,
        order: BLASOrder = .rowMajor
    ) throws(BLASError) {
        guard rows >= 0, columns >= 0,
            case (let count, false) = rows.multipliedReportingOverflow(by: columns),
            count == buffer.count
        else {
            throw BLASError(
                .shapeMismatch,
                "buffer of \(buffer.count) elements cannot hold a (\(rows), \(columns)) matrix")
        }
        unsafe try self.init(
            start: buffer.baseAddress, rows: rows, columns: columns,
            rowStride: order == .rowMajor ? columns : 1,
            columnStride: order == .rowMajor ? 1 : rows)
    }

    /// The transpose, as a view of the same memory (no copy): a row-major view becomes a
    /// column-major one and vice versa. This is numpy's `a.T`.
    @inlinable
    public var transposed: MatrixView<Element> {
        unsafe MatrixView(
            base: baseAddress, rows: columns, columns: rows, rowStride: columnStride,
            columnStride: rowStride, layout: layout.transposed, extent: extent)
    }

    /// Number of elements, `rows · columns` (validated not to overflow).
    @inlinable
    public var count: Int { rows &* columns }

    /// Element (row, column). Traps when out of range, like `Array`'s subscript; code that
    /// handles untrusted indices must check them first.
    @inlinable
    public subscript(row: Int, column: Int) -> Element {
        precondition(row >= 0 && row < rows && column >= 0 && column < columns, "index out of range")
        // SAFETY: in range, so the offset lies inside the validated extent; loadUnaligned
        // also covers misaligned buffers.
        return unsafe baseAddress.loadUnaligned(
            fromByteOffset: (row &* rowStride &+ column &* columnStride) &* MemoryLayout<Element>.size,
            as: Element.self)
    }
}

/// A non-owning, writable, typed view of a strided matrix (see ``MatrixView``); the output
/// operand of ``gemm(transposeA:transposeB:alpha:_:_:beta:into:)`` and ``matmul(_:_:into:)``.
public struct MutableMatrixView<Element: BLASElement> {
    /// The same memory, read-only.
    public let view: MatrixView<Element>

    @inlinable
    init(view: MatrixView<Element>) { self.view = view }

    /// Creates a view from a raw pointer, a shape and strides in BYTES (a writable
    /// `Py_buffer`), validated as in ``MatrixView/init(bytes:rows:columns:rowByteStride:columnByteStride:)``.
    @inlinable
    public init(
        bytes start: UnsafeMutableRawPointer?, rows: Int, columns: Int,
        rowByteStride: Int, columnByteStride: Int
    ) throws(BLASError) {
        view = unsafe try MatrixView(
            bytes: UnsafeRawPointer(start), rows: rows, columns: columns,
            rowByteStride: rowByteStride, columnByteStride: columnByteStride)
    }

    /// Creates a view from a typed pointer and strides in ELEMENTS.
    @inlinable
    public init(
        start: UnsafeMutablePointer<Element>?, rows: Int, columns: Int,
        rowStride: Int, columnStride: Int
    ) throws(BLASError) {
        view = unsafe try MatrixView(
            start: UnsafePointer(start), rows: rows, columns: columns, rowStride: rowStride,
            columnStride: columnStride)
    }

    /// Creates a view of a contiguous mutable buffer holding a `rows × columns` matrix.
    @inlinable
    public init(
        _ buffer: UnsafeMutableBufferPointer<Element>, rows: Int, columns: Int,
        order: BLASOrder = .rowMajor
    ) throws(BLASError) {
        view = unsafe try MatrixView(UnsafeBufferPointer(buffer), rows: rows, columns: columns, order: order)
    }

    /// Address of element (0, 0).
    @inlinable
    public var baseAddress: UnsafeMutableRawPointer { unsafe UnsafeMutableRawPointer(mutating: view.baseAddress) }
    @inlinable public var rows: Int { view.rows }
    @inlinable public var columns: Int { view.columns }
    @inlinable public var rowStride: Int { view.rowStride }
    @inlinable public var columnStride: Int { view.columnStride }
    @inlinable public var layout: MatrixLayout { view.layout }

    /// The transpose of the same memory.
    @inlinable
    public var transposed: MutableMatrixView<Element> { MutableMatrixView(view: view.transposed) }

    /// Element (row, column). Traps when out of range, like `Array`'s subscript.
    @inlinable
    public subscript(row: Int, column: Int) -> Element {
        get { view[row, column] }
        nonmutating set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "index out of range")
            // SAFETY: in range, so inside the validated extent; storeBytes allows misalignment.
            unsafe baseAddress.storeBytes(
                of: newValue,
                toByteOffset: (row &* rowStride &+ column &* columnStride) &* MemoryLayout<Element>.size,
                as: Element.self)
        }
    }
}

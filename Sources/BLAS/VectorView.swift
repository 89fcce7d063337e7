/// A non-owning, read-only, typed view of a strided vector: `count` elements, element i at
/// `baseAddress + i·stride·MemoryLayout<Element>.size`.
///
/// Built from a pinned buffer (pointer, length, byte stride) and validated once. Negative
/// strides are used by CBLAS in place (with its own convention: the lowest address plus a
/// negative increment, which walks the elements in view order); zero strides with more than
/// one element and misaligned bases are copied by the routines. The view does not keep its
/// memory alive and is not `Sendable` (see ``MatrixView``).
@safe public struct VectorView<Element: BLASElement> {
    /// Address of element 0; a placeholder, never read, when the vector is empty.
    public let baseAddress: UnsafeRawPointer
    /// Number of elements (≥ 0).
    public let count: Int
    /// Distance in elements between consecutive elements (0 when `count` ≤ 1).
    public let stride: Int
    /// CBLAS increment, or 0 when the routines must copy the vector first.
    @usableFromInline let increment: Int32
    /// Byte offset from element 0 to the lowest-addressed element.
    @usableFromInline let lowestOffset: Int
    @usableFromInline let extent: _Extent

    /// Creates a view from a raw pointer, a length and a stride in BYTES (a `Py_buffer`).
    ///
    /// - Throws: ``BLASError`` when the length is negative, the pointer is null for a
    ///   non-empty vector, the stride is not a multiple of the element size, or the
    ///   described memory wraps around the address space.
    @inlinable
    public init(bytes start: UnsafeRawPointer?, count: Int, byteStride: Int) throws(BLASError) {
        let g = try _validateVector(
            address: UInt(bitPattern: start), count: count, byteStride: byteStride,
            size: MemoryLayout<Element>.size, alignment: MemoryLayout<Element>.alignment)
        unsafe baseAddress = unsafe start ?? UnsafeRawPointer(_emptyPlaceholder())
        self.count = count
        stride = g.stride
        increment = g.increment
        lowestOffset = g.lowestOffset
        extent = g.extent
    }

    /// Creates a view from a typed pointer and a stride in ELEMENTS.
    @inlinable
    public init(start: UnsafePointer<Element>?, count: Int, stride: Int = 1) throws(BLASError) {
        unsafe try self.init(
            bytes: UnsafeRawPointer(start), count: count,
            byteStride: try _byteStride(stride, size: MemoryLayout<Element>.size))
    }

    /// Creates a view of a contiguous buffer (cannot fail).
    @inlinable
    public init(_ buffer: UnsafeBufferPointer<Element>) {
        unsafe baseAddress = unsafe UnsafeRawPointer(buffer.baseAddress) ?? UnsafeRawPointer(_emptyPlaceholder())
        count = buffer.count
        stride = buffer.count > 1 ? 1 : 0
        increment = 1
        lowestOffset = 0
        let low = unsafe UInt(bitPattern: baseAddress)
        // SAFETY: a buffer pointer describes allocated memory, so the end cannot wrap.
        extent = _Extent(
            low: low, high: buffer.isEmpty ? low : low &+ UInt(buffer.count &* MemoryLayout<Element>.stride))
    }

    /// Whether CBLAS can use the memory in place.
    @inlinable
    public var isBLASCompatible: Bool { increment != 0 }

    /// Element i. Traps when out of range, like `Array`'s subscript.
    @inlinable
    public subscript(i: Int) -> Element {
        precondition(i >= 0 && i < count, "index out of range")
        // SAFETY: in range, so inside the validated extent; loadUnaligned covers misalignment.
        return unsafe baseAddress.loadUnaligned(
            fromByteOffset: i &* stride &* MemoryLayout<Element>.size, as: Element.self)
    }

    /// The elements, in order, copied into an array.
    @inlinable
    public func toArray() -> [Element] {
        (0..<count).map { self[$0] }
    }

    /// The address CBLAS expects as `x` (the lowest-addressed element).
    @inlinable
    var blasPointer: UnsafePointer<Element> {
        // SAFETY: only used when `increment != 0`, which implies an aligned base, and the
        // offset stays inside the validated extent.
        unsafe baseAddress.advanced(by: lowestOffset).assumingMemoryBound(to: Element.self)
    }
}

/// A non-owning, writable, typed view of a strided vector (see ``VectorView``).
public struct MutableVectorView<Element: BLASElement> {
    /// The same memory, read-only.
    public let view: VectorView<Element>

    /// Creates a view from a raw pointer, a length and a stride in BYTES (a writable
    /// `Py_buffer`), validated as in ``VectorView/init(bytes:count:byteStride:)``.
    @inlinable
    public init(bytes start: UnsafeMutableRawPointer?, count: Int, byteStride: Int) throws(BLASError) {
        view = unsafe try VectorView(bytes: UnsafeRawPointer(start), count: count, byteStride: byteStride)
    }

    /// Creates a view from a typed pointer and a stride in ELEMENTS.
    @inlinable
    public init(start: UnsafeMutablePointer<Element>?, count: Int, stride: Int = 1) throws(BLASError) {
        view = unsafe try VectorView(start: UnsafePointer(start), count: count, stride: stride)
    }

    /// Creates a view of a contiguous mutable buffer (cannot fail).
    @inlinable
    public init(_ buffer: UnsafeMutableBufferPointer<Element>) {
        view = unsafe VectorView(UnsafeBufferPointer(buffer))
    }

    /// Address of element 0.
    @inlinable
    public var baseAddress: UnsafeMutableRawPointer { unsafe UnsafeMutableRawPointer(mutating: view.baseAddress) }
    @inlinable public var count: Int { view.count }
    @inlinable public var stride: Int { view.stride }
    @inlinable public var isBLASCompatible: Bool { view.isBLASCompatible }

    /// Whether distinct indices address distinct memory (false for a zero stride with more
    /// than one element). Outputs must have this property.
    @inlinable
    public var hasDistinctElements: Bool { view.count <= 1 || view.stride != 0 }

    /// Element i. Traps when out of range, like `Array`'s subscript.
    @inlinable
    public subscript(i: Int) -> Element {
        get { view[i] }
        nonmutating set {
            precondition(i >= 0 && i < count, "index out of range")
            // SAFETY: in range, so inside the validated extent; storeBytes allows misalignment.
            unsafe baseAddress.storeBytes(
                of: newValue, toByteOffset: i &* view.stride &* MemoryLayout<Element>.size,
                as: Element.self)
        }
    }

    @inlinable
    var blasPointer: UnsafeMutablePointer<Element> { unsafe UnsafeMutablePointer(mutating: view.blasPointer) }
}

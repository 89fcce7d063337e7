// `internal import`: clients of BLAS must not see libc's module through us — importing
// Glibc next to CPython's headers trips the fd_set definition clash (docs/design.md, pitfall 2).
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A temporary, 64-byte aligned, uninitialised buffer for the copy paths.
///
/// Allocated with `posix_memalign` rather than `UnsafeMutablePointer.allocate` because the
/// latter traps when memory runs out; a huge broadcast input (zero strides, tiny memory,
/// 10¹² logical elements) must produce a `BLASError`, not abort the interpreter.
@usableFromInline
@safe struct _Scratch<Element: BLASElement> {
    @usableFromInline let pointer: UnsafeMutablePointer<Element>

    @usableFromInline
    init(count: Int, routine: StaticString) throws(BLASError) {
        let (bytes, overflow) = max(1, count).multipliedReportingOverflow(by: MemoryLayout<Element>.stride)
        var raw: UnsafeMutableRawPointer? = nil
        guard !overflow, unsafe posix_memalign(&raw, 64, bytes) == 0, let raw = unsafe raw else {
            throw BLASError(
                .allocationFailed, "\(routine): cannot allocate a temporary copy of \(count) elements")
        }
        // SAFETY: fresh memory, suitably aligned; every reader writes it first.
        unsafe pointer = unsafe raw.bindMemory(to: Element.self, capacity: max(1, count))
    }

    @usableFromInline
    func free() {
        #if canImport(Glibc) || canImport(Darwin)
        // SAFETY: allocated by posix_memalign in init and freed once by the owner's defer.
        // Module-qualified to reach the C function rather than this method.
        #if canImport(Glibc)
        unsafe Glibc.free(pointer)
        #else
        Darwin.free(pointer)
        #endif
        #endif
    }
}

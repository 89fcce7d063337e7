// This file must not import CZlib: Glibc (and Dispatch) are built without SwiftPy's
// feature-macro prelude, and a file that sees both disagrees on `fd_set`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether `byteCount` bytes can be allocated right now: asks `malloc` and frees at once.
/// Swift's own allocation traps on failure; this lets callers throw instead.
///
/// `@_optimize(none)`: LLVM knows `malloc`/`free` and deletes an unused pair, folding the
/// check to "success" — which made the probe useless (a 600 MB bomb under a 1 GiB
/// address-space limit aborted the interpreter instead of raising `MemoryError`).
@_optimize(none)
func canAllocate(_ byteCount: Int) -> Bool {
    guard let probe = unsafe malloc(byteCount) else { return false }
    unsafe free(probe)
    return true
}

/// Bytes in memory from `malloc`, freed with the value: the output of one
/// `parallelCompress` block, made on a worker thread.
///
/// Why not `[UInt8]`: a worker cannot let an allocation trap (Swift's allocator aborts the
/// process when `malloc` fails, and near an address-space limit a probe-then-allocate pair
/// races with the other workers), and a block's output is much smaller than the space it
/// was compressed into, so it is shrunk to fit (`realloc`) before it is kept.
///
/// `@unchecked Sendable`: the memory is owned by this object alone and is never written
/// after `MallocOutput.finish` hands it over.
@safe final class MallocBytes: @unchecked Sendable {
    let base: UnsafeMutableRawPointer?
    let count: Int

    init(base: UnsafeMutableRawPointer?, count: Int) {
        unsafe self.base = unsafe base
        self.count = count
    }

    /// `capacity` bytes of uninitialised memory, or nil when they are not there.
    ///
    /// No huge pages here (unlike Python `bytes` results): advised, the 200 MB copy that
    /// libdeflate's off-thread compression makes on the caller's thread pushed Ctrl-C
    /// past 100 ms (0.117 s) when it ran after other large tests.
    convenience init?(capacity: Int) {
        guard let memory = unsafe mallocBytes(capacity) else { return nil }
        unsafe self.init(base: memory, count: capacity)
    }

    /// A copy of `source`, or nil when the memory is not there. The copy is made 4 MiB at
    /// a time with `poll` between pieces: copying 200 MB into fresh memory faults in
    /// every page, which took over 0.3 s on a freshly booted VM (first touch of guest
    /// memory) and pushed Ctrl-C past 100 ms when made in one piece.
    convenience init?(copying source: UnsafeRawBufferPointer, poll: () throws -> Void) throws {
        self.init(capacity: source.count)
        let piece = 4 << 20
        var start = 0
        while start < source.count {
            try poll()
            let end = min(start + piece, source.count)
            // SAFETY: both ranges lie within `source` and this object's `count` bytes.
            unsafe UnsafeMutableRawBufferPointer(rebasing: mutableBytes[start..<end])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<end]))
            start = end
        }
    }

    deinit { unsafe free(base) }

    var bytes: UnsafeRawBufferPointer { unsafe UnsafeRawBufferPointer(start: base, count: count) }

    /// The memory for the owner to fill before handing the object on (after that it is
    /// only read, as `Sendable` requires).
    var mutableBytes: UnsafeMutableRawBufferPointer { unsafe UnsafeMutableRawBufferPointer(start: base, count: count) }
}

/// `malloc` (`posix_memalign` for an `alignment` above malloc's), or nil (never a trap)
/// when the memory is not there. Free with ``freeBytes(_:)``.
func mallocBytes(_ byteCount: Int, alignment: Int = 16) -> UnsafeMutableRawPointer? {
    guard alignment > 16 else { return unsafe malloc(max(1, byteCount)) }
    var memory: UnsafeMutableRawPointer?
    return unsafe posix_memalign(&memory, alignment, max(1, byteCount)) == 0 ? memory : nil
}

/// `realloc`; nil when it fails, in which case `pointer` is still valid (and still owned).
func reallocBytes(_ pointer: UnsafeMutableRawPointer?, _ byteCount: Int) -> UnsafeMutableRawPointer? {
    unsafe realloc(pointer, max(1, byteCount))
}

/// `free`.
func freeBytes(_ pointer: UnsafeMutableRawPointer?) { unsafe free(pointer) }

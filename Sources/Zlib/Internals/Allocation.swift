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
    guard let probe = malloc(byteCount) else { return false }
    free(probe)
    return true
}

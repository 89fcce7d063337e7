#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import SwiftPy

/// Keeps process exit from tearing OpenBLAS down under a running call.
///
/// A Python daemon thread can be inside a detached BLAS call when the interpreter exits.
/// After `Py_Finalize`, `exit()` runs the shared libraries' destructors, and OpenBLAS's
/// (`gotoblas_quit`) unmaps the buffers that call is computing in: the process dies with
/// SIGSEGV (numpy's bundled OpenBLAS hangs in the same spot instead). So every detached
/// call is counted, and a C `atexit` handler — which runs after `Py_Finalize` and before
/// the library destructors — waits until none is running (at most
/// ``maximumWait`` seconds). No new call can start then: a call starts with the GIL held,
/// and after finalization no daemon thread gets it again (CPython ends those threads when
/// they try, which is also where a finished call's thread stops).
enum BLASExitGuard {
    /// Detached BLAS calls running now.
    static let running = Atomic<Int>(0)
    /// The longest exit waits for running calls; after it the destructors run anyway.
    static let maximumWait: UInt64 = 60_000_000_000

    /// Registers the `atexit` handler once per process (from `PyInit_blas`).
    static let install: Void = {
        _ = atexit { BLASExitGuard.drain() }
    }()

    static func drain() {
        var waited: UInt64 = 0
        while running.load(ordering: .acquiring) > 0, waited < maximumWait {
            usleep(1000)
            waited += 1_000_000
        }
    }
}

extension Python {
    /// `detach(if:_:)` for BLAS work, counted by ``BLASExitGuard``: the count goes up while
    /// the GIL is still held (so exit cannot be past `Py_Finalize` yet) and down inside the
    /// detached closure, before re-attaching (which ends the thread if Python has exited).
    @inline(__always)
    func detachBLAS<T: Sendable, E: Error>(if condition: Bool, _ body: @Sendable () throws(E) -> T) throws(E) -> T {
        guard condition else { return try body() }
        BLASExitGuard.running.wrappingAdd(1, ordering: .acquiringAndReleasing)
        return try detach { () throws(E) -> T in
            defer { BLASExitGuard.running.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
            return try body()
        }
    }
}

extension Python {
    /// `detachInterruptibly(if:_:)` for BLAS work, counted by ``BLASExitGuard`` like
    /// ``detachBLAS(if:_:)``: long products poll for Ctrl-C between their parts.
    func detachBLASInterruptibly<T: Sendable>(if condition: Bool, _ body: @Sendable (inout Interruption) throws -> T) throws -> T {
        guard condition else { return try detachInterruptibly(if: false, body) }
        BLASExitGuard.running.wrappingAdd(1, ordering: .acquiringAndReleasing)
        return try detachInterruptibly { interruption in
            defer { BLASExitGuard.running.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
            return try body(&interruption)
        }
    }
}

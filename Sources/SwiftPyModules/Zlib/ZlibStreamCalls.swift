import Synchronization
import SwiftPy

/// Counts the calls in progress on one Compress/Decompress object, so a call that may
/// have to wait for the object's lock (another thread is inside it) waits detached, like
/// CPython's ENTER_ZLIB; calls on an idle object keep the GIL when their input is small.
struct StreamCalls: ~Copyable, Sendable {
    private let active = Atomic<Int>(0)

    init() {}

    /// Runs `body` detached when `large` or when another call is in progress.
    @inline(__always)
    func run<R: Sendable>(_ py: Python, large: Bool, _ body: @Sendable () throws -> R) throws -> R {
        let busy = active.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue > 0
        defer { active.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        return try py.detach(if: large || busy, body)
    }

    /// `run` for work that may take long (a flush, or output far larger than the input):
    /// `body` gets a progress callback to call between pieces, which throws
    /// `KeyboardInterrupt` once Ctrl-C was pressed (checked at most every ~20 ms).
    @inline(__always)
    func runInterruptibly<R: Sendable>(
        _ py: Python, large: Bool, _ body: @Sendable (@escaping () throws -> Void) throws -> R
    ) throws -> R {
        let busy = active.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue > 0
        defer { active.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        return try py.detachInterruptibly(if: large || busy) { interruption in
            try withProgress({ try interruption.check() }) { try body($0) }
        }
    }

    /// `run` with a pinned input buffer, interruptible: a stream's output can be ~1000
    /// times its input, so even a small call may run long.
    @inline(__always)
    func runInterruptibly<R: Sendable>(
        _ py: Python, _ data: PyBuffer, threshold: Int,
        _ body: @Sendable (UnsafeRawBufferPointer, @escaping () throws -> Void) throws -> R
    ) throws -> R {
        let busy = active.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue > 0
        defer { active.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        return try data.detachInterruptibly(py, if: busy || data.byteCount >= threshold) { span, interruption in
            unsafe try span.withUnsafeBytes { input in
                try withProgress({ try interruption.check() }) { unsafe try body(input, $0) }
            }
        }
    }
}

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

    /// `run` with a pinned input buffer.
    @inline(__always)
    func run<R: Sendable>(
        _ py: Python, _ data: PyBuffer, threshold: Int, _ body: @Sendable (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        let busy = active.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue > 0
        defer { active.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
        return try data.detach(py, if: busy || data.byteCount >= threshold) { span in
            try span.withUnsafeBytes { try body($0) }
        }
    }
}

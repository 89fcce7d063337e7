import SwiftPy
import Synchronization

/// `swiftpy.demo.BufferKeeper`: keeps a buffer argument beyond the call that received it,
/// the pattern that must never read freed memory. A kept ``PyBuffer`` holds its exporter
/// alive and its export held (like a `memoryview`): the bytes stay valid, and a kept
/// `bytearray` refuses to resize with `BufferError`.
final class BufferKeeper: @unchecked Sendable {
    // SAFETY: `kept` is only touched under `lock`, by builtins (GIL held / attached);
    // a PyBuffer is released in the Swift object's deinit, which runs in tp_dealloc.
    private let lock = Mutex<Void>(())
    private var kept: PyBuffer?

    func keep(_ buffer: PyBuffer) {
        var old: PyBuffer? = buffer
        lock.withLock { _ in swap(&old, &kept) }
        withExtendedLifetime(old) {}
    }

    /// The kept bytes, copied now (empty if nothing is kept).
    func read() -> [UInt8] {
        var bytes: [UInt8] = []
        lock.withLock { _ in bytes = unsafe kept?.withUnsafeBytes { unsafe Array($0) } ?? [] }
        return bytes
    }

    func release() {
        var old: PyBuffer? = nil
        lock.withLock { _ in swap(&old, &kept) }
        withExtendedLifetime(old) {}
    }
}

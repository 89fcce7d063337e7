import Synchronization

/// A small stateful object for the demo type `swiftpy.demo.Counter`. Its value is in a
/// Mutex so the object is `Sendable` and may be used from detached code.
final class Counter: Sendable {
    /// How many Counter objects exist, so tests can see that deallocating the Python
    /// object releases the Swift one.
    static let live = Atomic<Int>(0)

    let state: Mutex<Int>

    init(_ start: Int) {
        state = Mutex(start)
        Counter.live.add(1, ordering: .relaxed)
    }

    deinit { Counter.live.subtract(1, ordering: .relaxed) }

    var value: Int { state.withLock { $0 } }
}

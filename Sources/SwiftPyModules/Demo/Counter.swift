import Synchronization

/// A small stateful object for the demo type `swiftpy.demo.Counter`. Its value is in a
/// Mutex so the object is `Sendable` and may be used from detached code.
final class Counter: Sendable {
    let state: Mutex<Int>
    init(_ start: Int) { state = Mutex(start) }
    var value: Int { state.withLock { $0 } }
}

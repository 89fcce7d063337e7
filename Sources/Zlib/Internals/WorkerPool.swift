// This file must not import CZlib: Dispatch is built without SwiftPy's feature-macro
// prelude, and a file that sees both disagrees on `fd_set` (DESIGN.md, pitfall 2).
import Dispatch
import Synchronization

/// State shared between the calling thread and the workers of one `runParallel` call.
private final class PoolState: Sendable {
    /// The next item index to claim.
    let next = Atomic<Int>(0)
    /// Set when the call is being abandoned (a worker or the progress callback threw).
    let cancelled = Atomic<Bool>(false)
    let failure = Mutex<(any Error)?>(nil)
    /// Items finished since the caller last looked.
    let finished = Mutex<[Int]>([])
}

/// Runs `process(&context, index)` for every index in `0..<count` on up to `threads`
/// threads, each with its own `context` (made once per thread by `makeContext`).
///
/// The calling thread does no item work: it sleeps until items finish and calls
/// `completed(index)` for each, on the calling thread, so the callback need not be
/// `Sendable` and may check for interrupts. If `process`, `makeContext` or `completed`
/// throws, no new items start, the call waits for the running ones, and rethrows the first
/// error. The call never returns while a worker still runs, which is what lets workers
/// read the caller's buffers.
///
/// With `threads == 1` or a single item everything runs inline on the calling thread.
func runParallel<Context>(
    count: Int, threads: Int,
    makeContext: @escaping @Sendable () throws -> Context,
    process: @escaping @Sendable (inout Context, Int) throws -> Void,
    completed: (Int) throws -> Void
) throws {
    guard count > 0 else { return }
    if threads <= 1 || count == 1 {
        var context = try makeContext()
        for index in 0..<count {
            try process(&context, index)
            try completed(index)
        }
        return
    }
    let pool = PoolState()
    let signal = DispatchSemaphore(value: 0)
    let group = DispatchGroup()
    let queue = DispatchQueue.global(qos: .userInitiated)
    for _ in 0..<min(threads, count) {
        queue.async(group: group) {
            do {
                var context = try makeContext()
                while !pool.cancelled.load(ordering: .acquiring) {
                    let index = pool.next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if index >= count { break }
                    try process(&context, index)
                    pool.finished.withLock { $0.append(index) }
                    signal.signal()
                }
            } catch {
                pool.failure.withLock { if $0 == nil { $0 = error } }
                pool.cancelled.store(true, ordering: .releasing)
                signal.signal()
            }
        }
    }
    var failure: (any Error)?
    var done = 0
    waiting: while done < count {
        signal.wait()
        if let error = pool.failure.withLock({ $0 }) {
            failure = error
            break
        }
        for index in pool.finished.withLock({ list in defer { list.removeAll(keepingCapacity: true) }; return list }) {
            done += 1
            do {
                try completed(index)
            } catch {
                failure = error
                break waiting
            }
        }
    }
    if failure != nil { pool.cancelled.store(true, ordering: .releasing) }
    group.wait()
    if let failure { throw failure }
}

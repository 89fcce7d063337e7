// This file must not import CZlib: Glibc and Dispatch are built without SwiftPy's
// feature-macro prelude, and a file that sees both disagrees on `fd_set` (docs/design.md,
// pitfall 2).
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a new thread runs; passed through `pthread_create`'s context pointer.
private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a dedicated thread, or returns nil if the system refuses one.
///
/// Dedicated threads rather than Dispatch's global queues: those are width-limited pools
/// that Swift concurrency also runs on (on Linux), so a caller blocking on a pool thread
/// while its workers wait for a pool thread could deadlock. A thread of our own always runs.
private func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    let context = unsafe Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let code = unsafe pthread_create(&thread, nil, { raw in
        // SAFETY: `raw` is the retained ThreadBody passed below; taking the retained value
        // balances passRetained exactly once.
        #if canImport(Darwin)
        Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
        #else
        if let raw = unsafe raw { unsafe Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run() }
        #endif
        return nil
    }, unsafe context)
    guard code == 0 else {
        unsafe Unmanaged<ThreadBody>.fromOpaque(context).release()
        return nil
    }
    return thread
}

/// State shared between the calling thread and the workers of one `runParallel` call.
private final class PoolState: Sendable {
    /// The next item index to claim.
    let next = Atomic<Int>(0)
    /// Set when the call is being abandoned (a worker or the progress callback threw).
    let cancelled = Atomic<Bool>(false)
    let failure = Mutex<(any Error)?>(nil)
    /// Items finished since the caller last looked.
    let finished = Mutex<[Int]>([])
    /// Items finished in all.
    let finishedCount = Atomic<Int>(0)
}

/// How often the caller of ``runParallel(count:threads:makeContext:process:completed:)``
/// looks at finished items (and so runs `completed`, e.g. a Ctrl-C check) while workers run.
let pollInterval = DispatchTimeInterval.milliseconds(10)

/// Runs `process(&context, index)` for every index in `0..<count` on up to `threads`
/// threads, each with its own `context` (made once per thread by `makeContext`).
///
/// The calling thread does no item work: it wakes every ``pollInterval`` (and when the last
/// item or an error is in) and calls `completed(index)` for each finished item, on the
/// calling thread, so the callback need not be `Sendable` and may check for interrupts. If `process`, `makeContext` or `completed`
/// throws, no new items start, the call waits for the running ones, and rethrows the first
/// error. The call never returns while a worker still runs, which is what lets workers
/// read the caller's buffers.
///
/// With `threads == 1` or a single item everything runs inline on the calling thread, as
/// it does if the system cannot start any thread.
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
    var started: [pthread_t] = []
    for _ in 0..<min(threads, count) {
        let thread = startThread {
            do {
                var context = try makeContext()
                while !pool.cancelled.load(ordering: .acquiring) {
                    let index = pool.next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if index >= count { break }
                    try process(&context, index)
                    pool.finished.withLock { $0.append(index) }
                    // Wake the caller for the last item only: it polls every
                    // `pollInterval` otherwise. A wake-up per item (8,000/s with 128 KiB
                    // ISA-L blocks) made the caller preempt a worker on every one.
                    if pool.finishedCount.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == count {
                        signal.signal()
                    }
                }
            } catch {
                pool.failure.withLock { if $0 == nil { $0 = error } }
                pool.cancelled.store(true, ordering: .releasing)
                signal.signal()
            }
        }
        guard let thread else { break }
        started.append(thread)
    }
    if started.isEmpty {
        try runParallel(count: count, threads: 1, makeContext: makeContext, process: process, completed: completed)
        return
    }
    var failure: (any Error)?
    var done = 0
    waiting: while done < count {
        _ = signal.wait(timeout: .now() + pollInterval)
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
    for thread in started { pthread_join(thread, nil) }
    if let failure { throw failure }
}

/// The result slot of one ``runOffThread(_:poll:)`` call, shared with its thread.
private final class OffThreadResult<T: Sendable>: Sendable {
    let value = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
}

/// Runs `work` on a thread of its own while the calling thread calls `poll` every ~20 ms,
/// for a library call that cannot be interrupted (libdeflate compresses in one call).
///
/// If `poll` throws (Ctrl-C), the call returns at once with that error and the thread is
/// left to finish on its own, its result discarded: `work` must therefore own everything
/// it touches (copy the caller's buffers first). If no thread can be started, `work` runs
/// inline.
func runOffThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T, poll: () throws -> Void) throws -> T {
    let slot = OffThreadResult<T>()
    guard let thread = startThread({
        let result = Result { try work() }
        slot.value.withLock { $0 = result }
        slot.done.signal()
    }) else { return try work() }
    while slot.done.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
        do {
            try poll()
        } catch {
            pthread_detach(thread)
            throw error
        }
    }
    pthread_join(thread, nil)
    guard let result = slot.value.withLock({ $0 }) else {
        throw ZlibError(kind: .zlib, message: "compression thread ended without a result")
    }
    return try result.get()
}

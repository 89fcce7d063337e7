// This file must not import COpenBLAS: Glibc and Dispatch are built without the
// feature-macro prelude of the C modules (docs/design.md, pitfall 2).
import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Runs `body` over `0..<count` in chunks of `chunkSize` indices, on the calling thread and
/// up to `helpers` extra threads that claim chunks from a shared counter.
///
/// Used for batches of independent small products (a stack of 64×64 matrices): OpenBLAS
/// runs each such product on one thread, so only spreading the batch uses several cores.
///
/// - `checkpoint` runs on the calling thread between its chunks (e.g. to poll for Ctrl-C);
///   returning false stops the work: no new chunk starts anywhere.
/// - `helpersMayContinue` is asked by each helper before each chunk; returning false
///   retires that helper (the thread budget uses it to hand cores to another caller).
/// - The first error thrown by `body` stops the work and is rethrown.
///
/// The call returns only after every helper has finished, which is what lets the helpers
/// use memory the caller keeps alive. If the system refuses a thread, fewer run.
///
/// - Returns: false when `checkpoint` stopped the work, true when every chunk ran.
public func forEachChunk(
    count: Int, chunkSize: Int, helpers: Int,
    helpersMayContinue: @escaping @Sendable () -> Bool = { true },
    checkpoint: () -> Bool = { true },
    _ body: @escaping @Sendable (Range<Int>) throws(BLASError) -> Void
) throws(BLASError) -> Bool {
    guard count > 0 else { return true }
    let size = max(1, chunkSize)
    let state = _ChunkState(count: count, chunkSize: size, body: body)
    var threads: [pthread_t] = []
    for _ in 0..<max(0, min(helpers, (count + size - 1) / size - 1)) {
        guard let thread = _startThread({ state.work(whileAllowed: helpersMayContinue) }) else { break }
        threads.append(thread)
    }
    var completed = true
    while let range = state.claim() {
        state.run(range)
        if !checkpoint() {
            completed = false
            state.stop()
            break
        }
    }
    for thread in threads { pthread_join(thread, nil) }
    if let failure = state.failure.withLock({ $0 }) { throw failure }
    return completed
}

/// The shared counter, stop flag and first error of one ``forEachChunk`` call.
final class _ChunkState: Sendable {
    let count: Int
    let chunkSize: Int
    let body: @Sendable (Range<Int>) throws(BLASError) -> Void
    let next = Atomic<Int>(0)
    let stopped = Atomic<Bool>(false)
    let failure = Mutex<BLASError?>(nil)

    init(count: Int, chunkSize: Int, body: @escaping @Sendable (Range<Int>) throws(BLASError) -> Void) {
        self.count = count
        self.chunkSize = chunkSize
        self.body = body
    }

    /// The next chunk, or nil when all are claimed or the work stopped.
    func claim() -> Range<Int>? {
        guard !stopped.load(ordering: .acquiring) else { return nil }
        let start = next.wrappingAdd(chunkSize, ordering: .relaxed).oldValue
        guard start < count else { return nil }
        return start..<min(count, start + chunkSize)
    }

    func run(_ range: Range<Int>) {
        do {
            try body(range)
        } catch {
            failure.withLock { if $0 == nil { $0 = error } }
            stop()
        }
    }

    func stop() { stopped.store(true, ordering: .releasing) }

    /// A helper's loop.
    func work(whileAllowed allowed: @Sendable () -> Bool) {
        while allowed(), let range = claim() { run(range) }
    }
}

/// What a new thread runs, passed through `pthread_create`'s context pointer.
private final class _ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a thread running `body`, or nil if the system refuses one.
///
/// Threads of our own rather than Dispatch's width-limited global queues: a caller
/// blocking on a pool thread while its helpers wait for one could deadlock.
private func _startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    let context = unsafe Unmanaged.passRetained(_ThreadBody(body)).toOpaque()
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let code = unsafe pthread_create(&thread, nil, { raw in
        // SAFETY: `raw` is the retained _ThreadBody passed below; takeRetainedValue
        // balances that retain exactly once.
        #if canImport(Darwin)
        Unmanaged<_ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
        #else
        if let raw = unsafe raw { unsafe Unmanaged<_ThreadBody>.fromOpaque(raw).takeRetainedValue().run() }
        #endif
        return nil
    }, unsafe context)
    guard code == 0 else {
        unsafe Unmanaged<_ThreadBody>.fromOpaque(context).release()
        return nil
    }
    return thread
}

@testable import BLAS
import Synchronization
import Testing
import Foundation

/// The suites whose calls go through the process-wide thread policy: one at a time (the
/// policy's queue and counts are asserted on); every other suite uses problems below the
/// policy's thresholds.
@Suite(.serialized) enum ThreadPolicyUsers {}

/// Thread settings are process-global: these tests run one at a time.
extension ThreadPolicyUsers {
@Suite(.serialized) struct ThreadTests {
    @Test func countRoundTrips() {
        let original = BLASThreads.count
        defer { BLASThreads.count = original }
        BLASThreads.count = 1
        #expect(BLASThreads.count == 1)
        BLASThreads.count = 2
        #expect(BLASThreads.count == 2)
        BLASThreads.count = 0  // clamped
        #expect(BLASThreads.count == 1)
    }

    /// 96³ ≈ 885k > 262144 goes through the policy and shares the cores when callers
    /// overlap; 420³ > 2²⁶ takes turns, the queued products run by the call before them.
    @Test(arguments: [96, 420])
    func concurrentLargeCallsAreCorrectAndRestoreTheCount(n: Int) async throws {
        let original = BLASThreads.count
        defer { BLASThreads.count = original }
        BLASThreads.count = 2
        let a = try Matrix<Double>(rows: n, columns: n, elements: (0..<n * n).map { Double($0 % 7) - 3 })
        let b = try Matrix<Double>(rows: n, columns: n, elements: (0..<n * n).map { Double($0 % 5) - 2 })
        let reference = try matmul(a, b)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var ok = true
                    for _ in 0..<(n > 100 ? 4 : 20) { let r = try matmul(a, b); ok = ok && r == reference }
                    return ok
                }
            }
            for try await ok in group { #expect(ok) }
        }
        #expect(BLASThreadPolicy.shared.callsInFlight == 0)
        #expect(!BLASThreadPolicy.shared.isLimitingThreads)
        #expect(BLASThreads.count == 2)
        #expect(BLASThreadPolicy.shared.threadsForNextCall == 2)
    }

    @Test func aLoneCallIsExclusiveAndAnOverlappingOneSharesAfterItYields() throws {
        let original = BLASThreads.count
        defer { BLASThreads.count = original }
        BLASThreads.count = 2
        let policy = BLASThreadPolicy.shared
        policy.withCall(threads: 2) { outer in
            #expect(outer.threads == 2)
            #expect(outer.helpersMayContinue)
            // A second large call waits while this one runs exclusive…
            let seen = Mutex<(Int, Bool)?>(nil)
            Task.detached {
                let result = policy.withCall(threads: 2) { ($0.threads, policy.isLimitingThreads) }
                seen.withLock { $0 = result }
            }
            // The waiter registers under the policy's lock, a moment after it counts as in
            // flight: wait (boundedly) for it to be queued.
            let deadline = ContinuousClock.now + .seconds(10)
            while outer.helpersMayContinue && ContinuousClock.now < deadline {}
            #expect(!outer.helpersMayContinue)  // helpers retire for the waiter
            #expect(seen.withLock { $0 == nil })
            // …and gets in, with one thread, once this one yields (as between blocks).
            outer.yieldIfContended()
            while seen.withLock({ $0 == nil }) {}
            let result = seen.withLock { $0 }
            #expect(result?.0 == 1 && result?.1 == true)
        }
        #expect(policy.callsInFlight == 0)
        #expect(!policy.isLimitingThreads)
        #expect(BLASThreads.count == 2 && policy.threadsForNextCall == 2)
    }

    /// A large product (420³ > 2²⁶) and a small one (96³) alike.
    @Test(arguments: [96, 420])
    func aQueuedProductWaitsForTheWholeMachineAndABatchDoesNotYieldToIt(n: Int) throws {
        let original = BLASThreads.count
        defer { BLASThreads.count = original }
        BLASThreads.count = 2
        let policy = BLASThreadPolicy.shared
        #expect(BLASThreadPolicy.sharesCores(m: n, n: n, k: n) == (n < 406))
        let a = try Matrix<Double>(rows: n, columns: n, elements: (0..<n * n).map { Double($0 % 7) - 3 })
        let reference = try matmul(a, a)
        let done = Outcome()
        // The product must not give up waiting (250 ms) on a loaded machine.
        policy.lock.withLock { policy.waitLimit = 60_000_000_000 }
        defer { policy.lock.withLock { policy.waitLimit = BLASThreadPolicy.longestWait } }
        policy.withCall(threads: 2) { outer in
            Task.detached {
                let ok = (try? matmul(a, a)) == reference
                done.value.withLock { $0 = ok }
            }
            // Queued (counted as waiting under the lock), not merely in flight.
            let deadline = ContinuousClock.now + .seconds(10)
            while policy.waiting.load(ordering: .relaxed) < 1 && ContinuousClock.now < deadline {}
            #expect(policy.waiting.load(ordering: .relaxed) == 1)
            // Only a product waits: the batch keeps its helpers and does not yield (a
            // product runs alone, so yielding would only leave cores idle)…
            #expect(outer.helpersMayContinue)
            outer.yieldIfContended()
            #expect(!policy.isLimitingThreads)
            #expect(done.value.withLock { $0 == nil })
        }
        // …and the product runs once the batch has ended, with every thread.
        while done.value.withLock({ $0 == nil }) {}
        #expect(done.value.withLock { $0 } == true)
        #expect(policy.callsInFlight == 0)
        #expect(!policy.isLimitingThreads)
        #expect(policy.threadsForNextCall == 2)
    }

    @Test func theCallEndingItsTurnRunsTheProductsQueuedBehindIt() throws {
        let original = BLASThreads.count
        defer { BLASThreads.count = original }
        BLASThreads.count = 2
        let policy = BLASThreadPolicy.shared
        // The queued calls must not give up (250 ms) while this thread starts the second
        // one on a loaded machine.
        policy.lock.withLock { policy.waitLimit = 60_000_000_000 }
        defer { policy.lock.withLock { policy.waitLimit = BLASThreadPolicy.longestWait } }
        let log = RunLog()
        policy.runProduct {
            // Two products queue behind this one, which runs exclusive…
            for name in ["first", "second"] {
                let queuedBefore = policy.lock.withLock { policy.queued.count }
                // A thread of its own: a blocked task could hold the test's pool thread.
                Thread.detachNewThread { [log] in
                    policy.runProduct { log.record("\(name) on \(currentThreadID())") }
                    log.finished.withLock { $0 += 1 }
                }
                let deadline = ContinuousClock.now + .seconds(10)
                while policy.lock.withLock({ policy.queued.count }) == queuedBefore && ContinuousClock.now < deadline {}
            }
            #expect(policy.lock.withLock { policy.queued.count } == 2)
            log.record("own on \(currentThreadID())")
        }
        // …and ran, in arrival order, on this thread before it returned; their callers
        // return once their work is done.
        let me = currentThreadID()
        #expect(log.entries.withLock { $0 } == ["own on \(me)", "first on \(me)", "second on \(me)"])
        let deadline = ContinuousClock.now + .seconds(10)
        while log.finished.withLock({ $0 }) < 2 && ContinuousClock.now < deadline {}
        #expect(log.finished.withLock { $0 } == 2)
        #expect(policy.callsInFlight == 0)
        #expect(policy.lock.withLock { policy.queued.isEmpty })
    }

    @Test func aLoneSmallProductRunsOnEveryCore() {
        withTwoBLASThreads { policy in
            policy.lock.withLock { policy.sharedEpisodeEnd = 0 }
            #expect(BLASThreadPolicy.sharesCores(m: 256, n: 256, k: 256))
            #expect(threadsOfAProduct(shareable: true) == 2)
        }
    }

    /// A product (small when `firstIsSmall`, else large) with a small one queued behind it:
    /// what each ran with ("first: threads", "other: threads on own/caller").
    private func aSmallProductQueuedBehind(firstIsSmall: Bool) -> [String] {
        withTwoBLASThreads { policy in aSmallProductQueuedBehind(firstIsSmall: firstIsSmall, policy) }
    }

    private func aSmallProductQueuedBehind(firstIsSmall: Bool, _ policy: BLASThreadPolicy) -> [String] {
        policy.lock.withLock { policy.waitLimit = 60_000_000_000; policy.sharedEpisodeEnd = 0 }
        defer { policy.lock.withLock { policy.waitLimit = BLASThreadPolicy.longestWait } }
        let log = RunLog()
        let me = currentThreadID()
        policy.runProduct(shareable: firstIsSmall) {
            Thread.detachNewThread { [log] in
                policy.runProduct(shareable: true) {
                    log.record("other: \(policy.threadsForNextCall) on \(currentThreadID() == me ? "caller" : "own")")
                }
                log.finished.withLock { $0 += 1 }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while policy.lock.withLock({ policy.queued.count }) == 0 && ContinuousClock.now < deadline {}
            log.record("first: \(policy.threadsForNextCall)")
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while log.finished.withLock({ $0 }) < 1 && ContinuousClock.now < deadline {}
        #expect(policy.callsInFlight == 0)
        #expect(!policy.isLimitingThreads)
        #expect(policy.threadsForNextCall == 2)
        return log.entries.withLock { $0 }
    }

    /// Alone, a small product gets every core; one that had to wait for another small one
    /// runs on one thread, on its own caller's thread (not run by the first one, which would
    /// keep the callers taking turns)...
    @Test func overlappingSmallProductsShareTheCoresInsteadOfTakingTurns() {
        #expect(aSmallProductQueuedBehind(firstIsSmall: true) == ["first: 2", "other: 1 on own"])
    }

    /// ...but one that waited for a large product, whose caller would queue for the whole
    /// machine again rather than join it, gets every core: sharing would leave one idle.
    @Test func aSmallProductThatWaitedForALargeOneRunsOnEveryCore() {
        #expect(aSmallProductQueuedBehind(firstIsSmall: false) == ["first: 2", "other: 2 on own"])
    }

    /// A small product, a large one queued behind it (run by the small one's caller when
    /// it ends), then a small one: the last waited for the large one, so it runs exclusive.
    @Test func aSmallProductBehindALargeOneRunOnItsCallersBehalfRunsOnEveryCore() {
        withTwoBLASThreads { policy in
            policy.lock.withLock { policy.waitLimit = 60_000_000_000; policy.sharedEpisodeEnd = 0 }
            defer { policy.lock.withLock { policy.waitLimit = BLASThreadPolicy.longestWait } }
            let log = RunLog()
            policy.runProduct(shareable: true) {
                for (name, shareable) in [("large", false), ("small", true)] {
                    let queuedBefore = policy.lock.withLock { policy.queued.count }
                    Thread.detachNewThread { [log] in
                        policy.runProduct(shareable: shareable) { log.record("\(name): \(policy.threadsForNextCall)") }
                        log.finished.withLock { $0 += 1 }
                    }
                    let deadline = ContinuousClock.now + .seconds(10)
                    while policy.lock.withLock({ policy.queued.count }) == queuedBefore && ContinuousClock.now < deadline {}
                }
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while log.finished.withLock({ $0 }) < 2 && ContinuousClock.now < deadline {}
            #expect(log.entries.withLock { $0 } == ["large: 2", "small: 2"])
            #expect(!policy.isLimitingThreads)
        }
    }

    @Test func aSmallProductRightAfterAnotherThreadsSharedOneGoesOnSharing() {
        withTwoBLASThreads { aSmallProductRightAfterAnotherThreadsSharedOneGoesOnSharing($0) }
    }

    private func aSmallProductRightAfterAnotherThreadsSharedOneGoesOnSharing(_ policy: BLASThreadPolicy) {
        // A preempted test thread must not see the grace run out.
        policy.lock.withLock { policy.sharingGraceNanoseconds = 60_000_000_000 }
        defer {
            policy.lock.withLock {
                policy.sharedEpisodeEnd = 0
                policy.sharingGraceNanoseconds = BLASThreadPolicy.sharingGrace
            }
        }
        func threadsOfASmallProduct(episodeEndedAgo: UInt64, byThisThread: Bool) -> Int {
            policy.lock.withLock {
                policy.sharedEpisodeEnd = _ConditionLock.clockNanoseconds &- episodeEndedAgo
                policy.sharedEpisodeEndedBy = byThisThread ? _ConditionLock.currentThreadID : 0
            }
            return threadsOfAProduct(shareable: true)
        }
        // Another caller's shared product ended a moment ago: it is most likely coming back.
        #expect(threadsOfASmallProduct(episodeEndedAgo: 0, byThisThread: false) == 1)
        // A lone caller's own earlier product, or an episode long over: every core.
        #expect(threadsOfASmallProduct(episodeEndedAgo: 0, byThisThread: true) == 2)
        #expect(threadsOfASmallProduct(episodeEndedAgo: 120_000_000_000, byThisThread: false) == 2)
        // A product that shared alone (no call overlapped it) does not count as an episode
        // for the next one: threads taking turns without overlapping get every core.
        policy.lock.withLock {
            policy.sharedEpisodeEnd = _ConditionLock.clockNanoseconds
            policy.sharedEpisodeEndedBy = 0
        }
        #expect(threadsOfAProduct(shareable: true) == 1)
        #expect(policy.lock.withLock { policy.sharedEpisodeEndedBy } == 0)
        // A large product never shares when alone.
        policy.lock.withLock {
            policy.sharedEpisodeEnd = _ConditionLock.clockNanoseconds
            policy.sharedEpisodeEndedBy = 0
        }
        #expect(threadsOfAProduct(shareable: false) == 2)
        #expect(!policy.isLimitingThreads)
    }

    @Test func largeLevel1AndLevel2CallsGoThroughThePolicy() throws {
        let n = 20_000
        let x = [Double](repeating: 1, count: n)
        try x.withUnsafeBufferPointer { b in
            #expect(try dot(VectorView(b), VectorView(b)) == Double(n))
            let a = try MatrixView(b, rows: 200, columns: 100)
            var y = [Double](repeating: 0, count: 200)
            try y.withUnsafeMutableBufferPointer { o in
                try gemv(a, try VectorView(start: b.baseAddress, count: 100), into: MutableVectorView(o))
            }
            #expect(y.allSatisfy { $0 == 100 })
        }
        #expect(BLASThreadPolicy.shared.callsInFlight == 0)
    }
}
}

/// A result set by a detached task and read by the test.
private final class Outcome: Sendable {
    let value = Mutex<Bool?>(nil)
}

/// Runs `body` with OpenBLAS configured for 2 threads, then restores the count.
private func withTwoBLASThreads<R>(_ body: (BLASThreadPolicy) throws -> R) rethrows -> R {
    let original = BLASThreads.count
    defer { BLASThreads.count = original }
    BLASThreads.count = 2
    return try body(BLASThreadPolicy.shared)
}

/// The OpenBLAS thread count a product runs with under the shared policy.
private func threadsOfAProduct(shareable: Bool) -> Int {
    let threads = Mutex(0)
    BLASThreadPolicy.shared.runProduct(shareable: shareable) { threads.withLock { $0 = BLASThreadPolicy.shared.threadsForNextCall } }
    return threads.withLock { $0 }
}

/// The calling thread's id, to tell where a closure ran.
private func currentThreadID() -> UInt { UInt(bitPattern: Int(bitPattern: pthread_self())) }

/// Where closures ran, and how many callers have returned.
private final class RunLog: Sendable {
    let entries = Mutex<[String]>([])
    let finished = Mutex<Int>(0)
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
}

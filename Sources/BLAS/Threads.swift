import COpenBLAS
import Synchronization

/// The number of threads OpenBLAS uses per call.
///
/// OpenBLAS keeps ONE process-wide setting and thread pool; this is a thin, policy-aware
/// front for it (see ``BLASThreadPolicy`` for what happens while calls run concurrently).
public enum BLASThreads {
    /// The configured thread count: what a call running alone uses (OpenBLAS still runs
    /// small problems on one thread). Setting it clamps to at least 1. While the policy has
    /// temporarily forced 1 thread for concurrent calls, getting returns and setting
    /// updates the value restored afterwards.
    ///
    /// The corresponding C functions are `openblas_get_num_threads` and
    /// `openblas_set_num_threads`. Tools that call those C functions directly (e.g.
    /// threadpoolctl) change the same process-wide value.
    public static var count: Int {
        get { BLASThreadPolicy.shared.configuredCount }
        set { BLASThreadPolicy.shared.configuredCount = newValue }
    }
}

/// The thread budget ("oversubscription guard"): a multithreaded BLAS call never runs
/// next to another large call, and concurrent callers are meant to get at least what one
/// caller gets (see BENCHMARKS.md for how close they come on this machine).
///
/// Why: OpenBLAS has one thread pool per process. N application threads each calling a
/// multithreaded gemm oversubscribe the cores (its worker threads spin while they wait for
/// each other), and Debian's OpenBLAS 0.3.21 even serialises concurrent multithreaded
/// level-3 calls behind one lock. A large product on every core is as fast as N
/// single-threaded ones side by side (~1.9× one thread here), so large products take turns
/// at the whole machine (2 callers vs 1, side by side: 0.97-1.02× at n = 1024). Smaller
/// ones use two cores less well (n = 256 dgemm, Python threads calling in a loop, on one
/// afternoon here: 60-85 GFLOP/s on both cores, 49 on one, 87-95 for two one-thread
/// products side by side), so when their callers overlap they run on one thread each,
/// side by side, and so do batches of small products, which OpenBLAS runs on one thread
/// each anyway. The benchmark's figures for 2-4 such callers (BENCHMARKS.md) ranged from
/// 0.82× to 1.65× of one caller across runs: the machine is shared and noisy.
///
/// Switching the count to 1 while calls overlap once measured 0.65-0.73× of one caller.
/// The cause, found later: after a multithreaded call OpenBLAS's idle workers spin for its
/// thread timeout (2²⁸ cycles, ~0.1 s, by default) and take a core from the one-thread
/// callers (two n = 256 callers reached 64 GFLOP/s right after one caller's run, 95 in a
/// fresh process). swiftpy sets the timeout to 2²¹ cycles when it loads OpenBLAS
/// (python/swiftpy/__init__.py); with the default timeout (OpenBLAS loaded by another
/// library first, or an embedding program), sharing after turns is slower than it should be.
///
/// The rule (exactly):
/// - Only calls OpenBLAS would thread take part (gemm with `m·n·k >`
///   ``multithreadingThreshold``, gemv with `m·n >` ``gemvMultithreadingThreshold``, level-1
///   on more than ``level1MultithreadingThreshold`` elements, and batches this layer spreads
///   over helper threads). Smaller calls cost only their CBLAS call.
/// - A call that finds no other one in flight runs **exclusive**: with the configured
///   thread count (``BLASThreads/count``, i.e. every core by default). A single caller
///   therefore always uses every core.
/// - Otherwise products (each gemm, or each panel of a panelled one) and batches queue in
///   arrival order (a ticket each). A product's turn comes when no other call runs; it
///   then runs exclusive. A batch's turn comes when no exclusive call runs; it runs
///   exclusive, or **shared** (one thread, next to the other shared batches) if shared
///   batches are running. An exclusive batch yields between its chunks — becomes shared,
///   its helper threads retire — when only batches wait, so the waiters join it.
/// - A product of at most ``sharingThreshold`` multiply-adds (complex ones count four) that
///   had to wait for another such product, or for shared calls, runs shared; it is never
///   run by another call (below). Overlapping callers of such products then run side by
///   side, one thread each (see ``sharingThreshold`` for why). Alone
///   it runs exclusive, unless a shared episode in which calls overlapped was ended by
///   another thread less than ``sharingGrace`` ago (that caller is most likely about to
///   return). Waiting, it counts as a product: an exclusive batch does not yield to it.
/// - An exclusive product that ends runs the products queued right behind it (up to
///   ``productsRunPerTurn``, each in its own turn) on their callers' behalf before it
///   returns, then wakes those callers (``runProduct(shareable:_:)``): no core idles while a woken
///   thread is scheduled. Each change of turn wakes only the call it concerns.
/// - With the count configured to 1 (one thread per call, as in a Dask worker) calls run
///   unmanaged, side by side: none can oversubscribe the cores.
/// - Short calls (level-1, gemv; some run with the GIL held) never queue: next to an
///   exclusive call they run unmanaged, otherwise shared.
/// - The count is forced to 1 (`openblas_set_num_threads(1)`) while shared calls run, and
///   the configured count is restored when the next call runs exclusive; getting and
///   setting ``BLASThreads/count`` meanwhile sees and updates the configured value.
/// - No wait lasts more than ``longestWait``: a queued call that could wait for a caller
///   which holds the GIL (a batch checking for Ctrl-C while a product queues with the GIL
///   held — only possible with GIL release switched off) runs unmanaged after it, so a
///   stall is bounded and a deadlock impossible.
///
/// Limits: only calls made through this layer are counted (numpy and scipy bundle their
/// own OpenBLAS); a call through the C function `openblas_set_num_threads` (threadpoolctl)
/// made during a shared episode is overwritten when it ends.
///
/// SAFETY: `@unchecked Sendable` because the mutable state below is only touched with
/// `lock` held (the atomics aside, which are read lock-free by helper threads).
public final class BLASThreadPolicy: @unchecked Sendable {
    /// The process-wide policy the routines use.
    public static let shared = BLASThreadPolicy()

    /// gemm problems with `m·n·k` at or below this run single-threaded in OpenBLAS anyway
    /// (`65536 · GEMM_MULTITHREAD_THRESHOLD` in interface/gemm.c), so they skip the policy.
    public static let multithreadingThreshold = 262_144
    /// gemv problems with `m·n` below this run single-threaded in OpenBLAS (interface/gemv.c).
    public static let gemvMultithreadingThreshold = 9_216
    /// Level-1 calls on at most this many elements run single-threaded in OpenBLAS.
    public static let level1MultithreadingThreshold = 10_000

    /// Whether OpenBLAS would run an `(m × k)·(k × n)` product on several threads.
    public static func runsMultithreaded(m: Int, n: Int, k: Int) -> Bool {
        _productExceeds(m, n, k, multithreadingThreshold)
    }

    /// Products with `m·n·k` at or below this (2²⁶, a 406³ product) share the cores when
    /// callers overlap: each runs on one thread, side by side, instead of taking turns at
    /// every core. Measured here (dgemm, Python threads in a loop, 9 rounds): at n = 256
    /// one product on both cores reached 60-85 GFLOP/s where two one-thread products side
    /// by side reached 87-95 (49 each alone); at n = 512 the two ways tie (80 against 84),
    /// and above it turns win.
    public static let sharingThreshold = 1 << 26

    /// How long after a shared episode ends a shareable product that finds no other call
    /// in flight still runs shared, when another thread ended that episode (see
    /// ``enter(mayWait:sharing:shareable:work:)``). Well above the time a caller spends in
    /// Python between two products (10-30 µs here), well below anything a lone caller would
    /// notice (one product on one core).
    static let sharingGrace: UInt64 = 2_000_000

    /// Whether an `(m × k)·(k × n)` product shares the cores when callers overlap (see
    /// ``sharingThreshold``).
    public static func sharesCores(m: Int, n: Int, k: Int) -> Bool {
        !_productExceeds(m, n, k, sharingThreshold)
    }

    /// How a call runs.
    @usableFromInline enum Mode: Sendable {
        case exclusive, shared, unmanaged
        /// A queued product that the call before it ran on its behalf (see
        /// ``runProduct(shareable:_:)``): nothing is left to run; ``leave(_:)`` only unregisters it.
        case ranByAnother
    }

    /// How many queued products an exclusive call runs on their callers' behalf before it
    /// ends (see ``runProduct(shareable:_:)``): each saves one hand-off, and the bound keeps the
    /// caller's own return from waiting long.
    static let productsRunPerTurn = 3

    /// The longest a queued call waits for its turn (see the type's last rule): well above
    /// one panel of a panelled product (~3 GFLOP, 30-60 ms here).
    public static let longestWait: UInt64 = 250_000_000

    let lock = _ConditionLock()
    /// ``longestWait``, under `lock` (tests that queue calls on purpose raise it).
    var waitLimit = BLASThreadPolicy.longestWait
    /// An exclusive call is running (under `lock`).
    var exclusive = false
    /// Shared calls running (under `lock`).
    var sharedCalls = 0
    /// The next ticket to hand out and the ticket whose turn it is (under `lock`).
    var nextTicket = 0
    var serving = 0
    /// Tickets given up by calls that stopped waiting (timed out, or the guard was
    /// switched off): skipped when their turn comes (under `lock`).
    var abandoned: Set<Int> = []
    /// Each queued call, by ticket (under `lock`): only the call whose ticket is being
    /// served can start, so each change of turn wakes that one alone.
    var queued: [Int: _QueuedCall] = [:]
    /// Calls queued for their turn (also readable without the lock).
    let waiting = Atomic<Int>(0)
    /// Batches among them.
    let waitingBatches = Atomic<Int>(0)
    /// Calls inside the policy, any mode (for diagnostics).
    let inFlight = Atomic<Int>(0)
    /// Whether the guard acts.
    let enabled = Atomic<Bool>(true)
    /// The configured thread count while shared calls have forced 1; nil otherwise (under `lock`).
    var saved: Int32? = nil
    /// When the last shared episode ended (``_ConditionLock/clockNanoseconds``) and the
    /// thread whose call ended it (under `lock`).
    var sharedEpisodeEnd: UInt64 = 0
    var sharedEpisodeEndedBy: UInt = 0
    /// Whether calls overlapped in the current shared episode: only such an episode makes
    /// a lone product that follows it share (threads that take turns without ever
    /// overlapping would otherwise keep each other on one thread). Under `lock`.
    var sharedEpisodeOverlapped = false
    /// Whether the exclusive call running, or the last one, is a shareable product: a
    /// shareable product that waited only for a large product or a batch runs exclusive.
    /// Under `lock`.
    var lastExclusiveWasShareable = false
    /// ``sharingGrace``, under `lock` (tests raise it, so a slow machine cannot fail them).
    var sharingGraceNanoseconds = BLASThreadPolicy.sharingGrace

    init() {}

    /// Large calls currently inside BLAS through this layer, waiting ones included.
    public var callsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Whether the policy acts (default true). Disabling it restores the configured count
    /// at once; calls then run with whatever count is set, concurrently.
    public var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set {
            lock.withLock {
                enabled.store(newValue, ordering: .relaxed)
                if !newValue { restoreConfiguredCount() }
                for call in queued.values { call.condition.signal() }
            }
        }
    }

    /// Whether shared calls have currently set OpenBLAS to 1 thread.
    public var isLimitingThreads: Bool { lock.withLock { saved != nil } }

    /// The thread count an exclusive call uses.
    public var configuredCount: Int {
        get { Int(lock.withLock { saved ?? openblas_get_num_threads() }) }
        set {
            let value = Int32(clamping: max(1, newValue))
            lock.withLock {
                if saved != nil { saved = value } else { openblas_set_num_threads(value) }
            }
        }
    }

    /// The thread count OpenBLAS would use for a call starting now.
    public var threadsForNextCall: Int { Int(openblas_get_num_threads()) }

    /// Under `lock`: ends a shared episode's thread limit.
    private func restoreConfiguredCount() {
        if let value = saved {
            saved = nil
            if value != 1 { openblas_set_num_threads(value) }
        }
    }

    /// Under `lock`: starts a shared episode's thread limit.
    private func limitToOneThread() {
        if saved == nil {
            let current = openblas_get_num_threads()
            saved = current
            if current != 1 { openblas_set_num_threads(1) }
        }
    }

    /// Registers a large call; balance with ``leave(_:)`` passing the returned mode (or
    /// the one ``yield(_:)`` returned). A product (`sharing: false`) or batch (`true`) may
    /// queue for its turn (see the type's rules); with `mayWait: false` (level-1 and gemv:
    /// short, memory-bound, and some run with the GIL held) the call never waits.
    ///
    /// `work` is a product's CBLAS call, which the exclusive call before it may run on its
    /// behalf (the mode is then ``Mode/ranByAnother``); see ``runProduct(shareable:_:)``.
    @usableFromInline
    func enter(mayWait: Bool = true, sharing: Bool = false, shareable: Bool = false, work: _ProductWork? = nil) -> Mode {
        inFlight.wrappingAdd(1, ordering: .relaxed)
        return lock.withLock {
            guard enabled.load(ordering: .relaxed) else { return .unmanaged }
            // Configured for one thread per call (e.g. in a Dask worker): calls cannot
            // oversubscribe the cores, and queueing them would serialise the callers.
            guard (saved ?? openblas_get_num_threads()) > 1 else { return .unmanaged }
            if !exclusive && sharedCalls == 0 && waiting.load(ordering: .relaxed) == 0 {
                // Nobody queues: tickets given up earlier belong to no one any more.
                abandoned.removeAll()
                takeTurn(nextTicket)
                nextTicket += 1
                // Overlapping callers are momentarily all out between their products now
                // and then; a shareable product that follows another thread's shared call
                // closely goes on sharing, or the episode would fall back to turns at
                // every core until the next overlap.
                if shareable, sharedEpisodeEndedBy != _ConditionLock.currentThreadID,
                   _ConditionLock.clockNanoseconds &- sharedEpisodeEnd < sharingGraceNanoseconds
                {
                    return runShared()
                }
                return runExclusive(shareable: shareable)
            }
            if !mayWait {
                if exclusive { return .unmanaged }
                return runShared()
            }
            let ticket = nextTicket
            nextTicket += 1
            // Batches counted first on the way in and last on the way out: a lock-free
            // reader of both (`batchShouldYield`) then sees `batches == waiting` only for
            // fully registered batch waiters, never for a product caught half-way.
            if sharing { waitingBatches.wrappingAdd(1, ordering: .relaxed) }
            waiting.wrappingAdd(1, ordering: .relaxed)
            defer {
                waiting.wrappingSubtract(1, ordering: .relaxed)
                if sharing { waitingBatches.wrappingSubtract(1, ordering: .relaxed) }
            }
            let deadline = _ConditionLock.clockNanoseconds &+ waitLimit
            var timedOut = false
            let call = _QueuedCall(condition: lock.makeCondition(), work: work)
            queued[ticket] = call
            defer { queued[ticket] = nil }
            // A shareable product starts next to shared calls, as a batch does; it is
            // counted as a product (above), so an exclusive batch keeps its helpers.
            let joinsShared = sharing || shareable
            while enabled.load(ordering: .relaxed) && !timedOut && call.state == .waiting
                && !(serving == ticket && !exclusive && (joinsShared || sharedCalls == 0))
            {
                timedOut = !lock.wait(on: call.condition, until: deadline)
            }
            // Once another call has taken the work (and this ticket's turn), it runs to the
            // end whatever the deadline: the caller's memory must outlive it.
            while call.state == .running { lock.wait(on: call.condition) }
            if call.state == .done { return .ranByAnother }
            guard enabled.load(ordering: .relaxed), serving == ticket, !exclusive, joinsShared || sharedCalls == 0 else {
                giveUp(ticket)
                return .unmanaged
            }
            takeTurn(ticket)
            // A shareable product that waited for another one runs shared even when nothing
            // else does yet: the call it waited for is most likely its caller's next
            // product, which then joins it instead of queueing behind it (turns at every
            // core would go on for as long as the callers overlap).
            if sharedCalls > 0 || (shareable && lastExclusiveWasShareable) {
                sharedEpisodeOverlapped = true
                return runShared()
            }
            return runExclusive(shareable: shareable)
        }
    }

    /// Under `lock`: the call holding `ticket` starts; the next ticket's turn begins.
    private func takeTurn(_ ticket: Int, wakingTheNext: Bool = true) {
        serving = ticket + 1
        while abandoned.remove(serving) != nil { serving += 1 }
        if wakingTheNext { wakeServed() }
    }

    /// Under `lock`: wakes the queued call whose turn it is, if any, to re-check whether it
    /// can start (the others could not, whatever changed).
    private func wakeServed() { queued[serving]?.condition.signal() }

    /// Under `lock`: a queued call stops waiting; its turn, when it comes, is skipped.
    private func giveUp(_ ticket: Int) {
        if serving == ticket { takeTurn(ticket) } else { abandoned.insert(ticket) }
    }

    /// Under `lock`.
    private func runExclusive(shareable: Bool = false) -> Mode {
        exclusive = true
        lastExclusiveWasShareable = shareable
        restoreConfiguredCount()
        return .exclusive
    }

    /// Under `lock`.
    private func runShared() -> Mode {
        if sharedCalls > 0 { sharedEpisodeOverlapped = true }
        sharedCalls += 1
        limitToOneThread()
        return .shared
    }

    /// Runs a product (`work`, its CBLAS call) under the policy: when it must queue, the
    /// exclusive call before it may run it on its behalf.
    ///
    /// Why: a change of turn costs the woken thread's scheduling delay, 30-40 µs on this
    /// 2-core VM, during which the cores idle; for n = 256 products (0.2-0.4 ms each) that
    /// was 10-16% of the throughput of 3-4 callers. The thread that ends an exclusive call
    /// is already running, so it runs up to ``productsRunPerTurn`` queued products right
    /// away and then wakes their callers, as flat combining does; their threads wake while
    /// the next product runs.
    ///
    /// A `shareable` product (see ``sharesCores(m:n:k:)``) is never run by another call:
    /// that would keep overlapping callers taking turns at every core.
    @usableFromInline
    func runProduct(shareable: Bool = false, _ work: () -> Void) {
        withoutActuallyEscaping(work) { work in
            // SAFETY: `work` is run either here or, while this thread waits inside `enter`
            // until it has finished, by the call before it; it never outlives this frame.
            let mode = enter(shareable: shareable, work: shareable ? nil : _ProductWork(run: work))
            if mode != .ranByAnother { work() }
            // Only a product ending its turn takes on the queued ones: a short level-1 or
            // gemv call may hold the GIL, and a batch polls for Ctrl-C.
            if mode == .exclusive { runQueuedProducts() }
            leave(mode)
        }
    }

    /// Before an exclusive call ends: runs the products queued right behind it, up to
    /// ``productsRunPerTurn``, each in its own turn, and wakes their callers.
    private func runQueuedProducts() {
        for _ in 0..<Self.productsRunPerTurn {
            let next: _QueuedCall? = lock.withLock {
                guard enabled.load(ordering: .relaxed), let call = queued[serving], call.state == .waiting,
                      call.work != nil else { return nil }
                call.state = .running
                // A product with work is never shareable: the exclusive call now running
                // (on its behalf) is a large one.
                lastExclusiveWasShareable = false
                // Its turn, taken on its behalf; the one after it could not start yet.
                takeTurn(serving, wakingTheNext: false)
                return call
            }
            guard let call = next else { return }
            // Taken out and dropped by the run: no reference to the caller's closure may
            // outlive it (`withoutActuallyEscaping` in its runProduct checks). Only this
            // thread touches `work` while the call is `.running`.
            Self.run(call.work.take()!)  // claimed above only with its work present
            lock.withLock {
                call.state = .done
                call.condition.signal()
            }
        }
    }

    /// Runs `work` and drops it before returning.
    private static func run(_ work: consuming _ProductWork) { work.run() }

    /// Marks a large call as finished.
    @usableFromInline
    func leave(_ mode: Mode) {
        lock.withLock {
            switch mode {
            case .exclusive:
                exclusive = false
                wakeServed()
            case .shared:
                sharedCalls -= 1
                if sharedCalls == 0 {
                    if sharedEpisodeOverlapped {
                        sharedEpisodeEnd = _ConditionLock.clockNanoseconds
                        sharedEpisodeEndedBy = _ConditionLock.currentThreadID
                        sharedEpisodeOverlapped = false
                    }
                    // The episode is over: a lone call next gets every core without waiting
                    // for this reset, and get_num_threads reads the plain setting again.
                    if !exclusive && waiting.load(ordering: .relaxed) == 0 { restoreConfiguredCount() }
                    wakeServed()  // a queued product may now run
                }
            case .unmanaged, .ranByAnother:
                break
            }
        }
        inFlight.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Whether an exclusive batch should give its cores up now: batches wait, and no
    /// product does (a product needs every call gone; a yielding batch would only idle
    /// the cores its helpers leave until it ends).
    var batchShouldYield: Bool {
        let batches = waitingBatches.load(ordering: .relaxed)
        return batches > 0 && batches == waiting.load(ordering: .relaxed)
    }

    /// Between two chunks of an exclusive batch: if only batches are waiting, turns this
    /// one into a shared call (its next parts use one thread) and lets them in.
    /// Returns the call's mode from now on.
    @usableFromInline
    func yield(_ mode: Mode) -> Mode {
        guard mode == .exclusive, batchShouldYield else { return mode }
        return lock.withLock {
            exclusive = false
            let shared = runShared()
            wakeServed()
            return shared
        }
    }

    /// Runs a call that would use `wanted` threads of its own (helper threads for a batch)
    /// under the policy. With `wanted <= 1` nothing is registered.
    public func withCall<R>(threads wanted: Int, _ body: (BLASThreadBudget) throws -> R) rethrows -> R {
        guard wanted > 1 else { return try body(BLASThreadBudget(policy: self, mode: .unmanaged, threads: 1)) }
        let mode = enter(sharing: true)
        let threads = mode == .shared ? 1 : min(wanted, max(1, configuredCount))
        let budget = BLASThreadBudget(policy: self, mode: mode, threads: threads)
        defer { leave(budget.currentMode) }
        return try body(budget)
    }
}

/// The threads one call was granted by ``BLASThreadPolicy/withCall(threads:_:)``.
public final class BLASThreadBudget: Sendable {
    let policy: BLASThreadPolicy
    /// Threads the call may use (itself included), fixed at its start.
    public let threads: Int
    private let mode: Mutex<BLASThreadPolicy.Mode>

    init(policy: BLASThreadPolicy, mode: BLASThreadPolicy.Mode, threads: Int) {
        self.policy = policy
        self.threads = threads
        self.mode = Mutex(mode)
    }

    var currentMode: BLASThreadPolicy.Mode { mode.withLock { $0 } }

    /// Whether helper threads may take more work: false once other batches wait for the
    /// cores (helpers then retire after their current chunk, and the call yields).
    public var helpersMayContinue: Bool {
        threads > 1 && !policy.batchShouldYield && mode.withLock { $0 } == .exclusive
    }

    /// Called by the calling thread between its chunks: gives the cores up to waiting
    /// batches (this call continues on its own thread only).
    public func yieldIfContended() {
        mode.withLock { $0 = policy.yield($0) }
    }
}

/// A product's CBLAS call, handed to the call that may run it on the caller's behalf
/// (``BLASThreadPolicy/runProduct(_:)``).
///
/// SAFETY: `@unchecked Sendable` because it crosses to the thread of the call before it
/// while its own thread waits; the closure and the memory it uses outlive that run (the
/// waiting thread returns only after it).
@usableFromInline
struct _ProductWork: @unchecked Sendable {
    let run: () -> Void
}

/// A call queued in the thread policy (under the policy's lock).
///
/// SAFETY: `@unchecked Sendable` because its mutable state is only touched with the
/// policy's lock held, except `work`, which the thread that claimed the call (state
/// `.running`, set under the lock) alone takes out and runs.
final class _QueuedCall: @unchecked Sendable {
    enum State { case waiting, running, done }
    let condition: _Condition
    /// A product's CBLAS call (nil for a batch or a call that cannot be run by another).
    var work: _ProductWork?
    var state = State.waiting

    init(condition: _Condition, work: _ProductWork?) {
        self.condition = condition
        self.work = work
    }
}

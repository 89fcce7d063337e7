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

/// The oversubscription guard: while more than one large BLAS call is in flight, each one
/// uses a single OpenBLAS thread.
///
/// Why: OpenBLAS has one thread pool per process. N application threads each calling a
/// multithreaded dgemm oversubscribe the cores, and Debian's OpenBLAS 0.3.21 even serialises
/// concurrent multithreaded level-3 calls behind one lock (measured on 2 cores: 2 callers ×
/// 2 BLAS threads = 0.65–0.99×, versus 1.85× with 1 BLAS thread each). OpenBLAS's FAQ
/// recommends 1 thread per call in multithreaded applications.
///
/// What is implemented (exactly):
/// - Routines count themselves in flight only for problems OpenBLAS would thread:
///   gemm with `m·n·k >` ``multithreadingThreshold`` (262 144, OpenBLAS's own cut-off),
///   gemv with `m·n >` ``gemvMultithreadingThreshold``, level-1 routines on more than
///   ``level1MultithreadingThreshold`` elements. Smaller calls cost only their CBLAS call.
/// - When a call enters and finds another in flight (the count becomes ≥ 2), the policy
///   saves the current `openblas_get_num_threads()` and sets 1, once per episode.
/// - When the last call in flight leaves (the count returns to 0), the saved value is
///   restored. A call running alone therefore uses the configured count (``BLASThreads/count``
///   or whatever threadpoolctl / `OPENBLAS_NUM_THREADS` set), with no extra work beyond two
///   atomic operations and an uncontended lock.
///
/// Limits (the setting is process-global, and OpenBLAS reads it when a call starts):
/// - A call that started alone keeps its threads when a second call arrives; for the
///   overlap, the machine may run `configured + 1` threads.
/// - A call that started during an episode keeps 1 thread after the others finish: no
///   rebalancing in mid-call.
/// - Only calls made through this layer are counted; BLAS used by numpy/scipy in the same
///   process is not, though it sees the 1-thread setting during an episode.
/// - Setting ``BLASThreads/count`` (through this type) during an episode updates the value
///   restored at its end; setting it through the C function directly is overwritten then.
public final class BLASThreadPolicy: Sendable {
    /// The process-wide policy the routines use.
    public static let shared = BLASThreadPolicy()

    /// gemm problems with `m·n·k` at or below this run single-threaded in OpenBLAS anyway
    /// (`65536 · GEMM_MULTITHREAD_THRESHOLD` in interface/gemm.c), so they skip the policy.
    public static let multithreadingThreshold = 262_144
    /// gemv problems with `m·n` below this run single-threaded in OpenBLAS (interface/gemv.c).
    public static let gemvMultithreadingThreshold = 9_216
    /// Level-1 calls on at most this many elements run single-threaded in OpenBLAS.
    public static let level1MultithreadingThreshold = 10_000

    /// Large calls currently inside BLAS through this layer.
    @usableFromInline let inFlight = Atomic<Int>(0)
    /// Whether the guard acts (it still counts when disabled).
    let enabled = Atomic<Bool>(true)
    /// The thread count to restore when the current episode ends; nil outside episodes.
    let saved = Mutex<Int32?>(nil)

    init() {}

    /// Large calls currently inside BLAS through this layer (a snapshot).
    public var callsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Whether concurrent calls are forced to 1 thread (default true). Disabling it ends
    /// any current episode: the saved count is restored immediately.
    public var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set {
            enabled.store(newValue, ordering: .relaxed)
            if !newValue {
                saved.withLock { saved in
                    if let value = saved {
                        saved = nil
                        openblas_set_num_threads(value)
                    }
                }
            }
        }
    }

    /// Whether an episode is active, i.e. the policy has set OpenBLAS to 1 thread.
    public var isLimitingThreads: Bool { saved.withLock { $0 != nil } }

    /// The thread count a call running alone uses.
    public var configuredCount: Int {
        get { Int(saved.withLock { $0 ?? openblas_get_num_threads() }) }
        set {
            let value = Int32(clamping: max(1, newValue))
            saved.withLock { saved in
                if saved != nil {
                    saved = value
                } else {
                    openblas_set_num_threads(value)
                }
            }
        }
    }

    /// The thread count the next call would get: 1 during an episode, else the configured
    /// count.
    public var threadsForNextCall: Int { Int(openblas_get_num_threads()) }

    /// Marks a large call as in flight; balance with ``leave()``.
    @usableFromInline
    func enter() {
        let now = inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        guard now >= 2, enabled.load(ordering: .relaxed) else { return }
        saved.withLock { saved in
            // Re-check under the lock: episode transitions are serialised, so a stale
            // decision cannot undo a newer one.
            guard saved == nil, inFlight.load(ordering: .acquiring) >= 2 else { return }
            let current = openblas_get_num_threads()
            saved = current
            if current != 1 { openblas_set_num_threads(1) }
        }
    }

    /// Marks a large call as finished.
    @usableFromInline
    func leave() {
        let now = inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue
        guard now == 0 else { return }
        saved.withLock { saved in
            guard let value = saved, inFlight.load(ordering: .acquiring) == 0 else { return }
            saved = nil
            if value != 1 { openblas_set_num_threads(value) }
        }
    }
}

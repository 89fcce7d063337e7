// This file must not import COpenBLAS: Glibc is built without the feature-macro prelude of
// the C modules (docs/design.md, pitfall 2).
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A mutex whose waiters each wait on a condition of their own (``_Condition``), for state
/// that threads wait on (the thread budget's "wait until it is this call's turn"): a change
/// of turn then wakes the one thread it concerns, where one shared condition's broadcast
/// woke every queued caller only for all but one to sleep again (with 4 callers of
/// 0.2 ms products on 2 cores, that cost ~20% of the throughput).
///
/// The corresponding C functions are `pthread_mutex_lock`, `pthread_cond_timedwait` and
/// `pthread_cond_signal`.
///
/// SAFETY: `@unchecked Sendable` because the pthread objects are made for sharing between
/// threads; they live at fixed heap addresses (never moved) for the lock's whole life.
@safe final class _ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        unsafe mutex = .allocate(capacity: 1)
        unsafe pthread_mutex_init(mutex, nil)
    }

    deinit {
        unsafe pthread_mutex_destroy(mutex)
        unsafe mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        unsafe pthread_mutex_lock(mutex)
        defer { unsafe pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// A condition of its own for one waiter, used with this lock's mutex.
    func makeCondition() -> _Condition { _Condition() }

    /// Inside `withLock`: releases the mutex until `own` is signalled (or a spurious
    /// wake-up) or `deadline` (nanoseconds of ``clockNanoseconds``) passes, then holds it
    /// again. Returns false when the deadline passed. Callers re-check their condition in
    /// a loop.
    func wait(on own: _Condition, until deadline: UInt64) -> Bool {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return unsafe pthread_cond_timedwait(own.condition, mutex, &time) != ETIMEDOUT
    }

    /// `wait(on:until:)` without a deadline. The corresponding C function is
    /// `pthread_cond_wait`.
    func wait(on own: _Condition) { unsafe pthread_cond_wait(own.condition, mutex) }

    /// The clock `pthread_cond_timedwait` measures deadlines in (monotonic; realtime on
    /// Darwin, which has no `pthread_condattr_setclock`).
    static var clockNanoseconds: UInt64 {
        var now = timespec()
        #if canImport(Darwin)
        clock_gettime(CLOCK_REALTIME, &now)
        #else
        unsafe clock_gettime(CLOCK_MONOTONIC, &now)
        #endif
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// An identifier of the calling thread (`pthread_self`: an integer or a pointer,
    /// depending on the C library), only compared for equality.
    static var currentThreadID: UInt { UInt(bitPattern: Int(bitPattern: pthread_self())) }
}

/// A condition variable of one waiter (see ``_ConditionLock/makeCondition()``): signalling
/// it wakes that waiter alone, where a broadcast would wake every queued thread only for
/// all but one to sleep again.
///
/// SAFETY: `@unchecked Sendable` for the same reason as ``_ConditionLock``; it is waited on
/// and signalled only with its lock's mutex held.
@safe final class _Condition: @unchecked Sendable {
    fileprivate let condition: UnsafeMutablePointer<pthread_cond_t>

    /// Timed waits measure CLOCK_MONOTONIC: a wall-clock step (NTP) must not stretch the
    /// bounded waits the thread budget relies on.
    init() {
        unsafe condition = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        unsafe pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
        unsafe pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        unsafe pthread_cond_init(condition, &attributes)
        unsafe pthread_condattr_destroy(&attributes)
    }

    deinit {
        unsafe pthread_cond_destroy(condition)
        unsafe condition.deallocate()
    }

    /// Wakes the waiter. The corresponding C function is `pthread_cond_signal`.
    func signal() { unsafe pthread_cond_signal(condition) }
}

// This file must not import COpenBLAS: Glibc is built without the feature-macro prelude of
// the C modules (DESIGN.md, pitfall 2).
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A mutex with one condition variable, for state that threads wait on (the thread
/// budget's "wait until the multithreaded call has finished").
///
/// The corresponding C functions are `pthread_mutex_lock`, `pthread_cond_wait` and
/// `pthread_cond_broadcast`.
///
/// SAFETY: `@unchecked Sendable` because the pthread objects are made for sharing between
/// threads; they live at fixed heap addresses (never moved) for the lock's whole life.
final class _ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        // Timed waits measure CLOCK_MONOTONIC: a wall-clock step (NTP) must not stretch
        // the bounded waits the thread budget relies on.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Inside `withLock`: releases the mutex until `broadcast()` (or a spurious wake-up),
    /// then holds it again. Callers re-check their condition in a loop.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// `wait()` for at most until `deadline` (nanoseconds of the condition's clock, see
    /// ``clockNanoseconds``). Returns false when the deadline passed.
    /// The corresponding C function is `pthread_cond_timedwait`.
    func wait(until deadline: UInt64) -> Bool {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }

    /// The clock `pthread_cond_timedwait` measures deadlines in (monotonic; realtime on
    /// Darwin, which has no `pthread_condattr_setclock`).
    static var clockNanoseconds: UInt64 {
        var now = timespec()
        #if canImport(Darwin)
        clock_gettime(CLOCK_REALTIME, &now)
        #else
        clock_gettime(CLOCK_MONOTONIC, &now)
        #endif
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    /// Wakes every waiter (they re-check their condition under the mutex).
    func broadcast() { pthread_cond_broadcast(condition) }
}

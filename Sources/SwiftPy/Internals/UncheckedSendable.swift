/// Carries a value the compiler cannot prove `Sendable` across a detach boundary.
///
/// Only for SwiftPy's own plumbing where the safety argument is local and written next
/// to each use (a pinned buffer's address, for example). Never public.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @inlinable init(_ value: Value) { self.value = value }
}

import Synchronization

/// Whether the programme has been checked against Redis (`PoolShapes.reconcile`: no live
/// window's shape changed). claimgate checks before it starts when Redis answers; when it does
/// not, the loops start closed to claims (503, with a reason) and a thread of the command's
/// checks once Redis is up and opens them. Shared by every loop: one atomic load per claim.
public final class ProgrammeCheck: Sendable {
    private let passed: Atomic<Bool>

    public init(passed: Bool) { self.passed = Atomic(passed) }

    public var hasPassed: Bool { passed.load(ordering: .acquiring) }

    public func pass() { passed.store(true, ordering: .releasing) }

    /// The 503's reason while it has not passed.
    static let pendingReason =
        "the gateway has not yet checked its programme against Redis (a live window's shape must not change)"
}

import Synchronization

/// How many of a gateway's event loops have a Redis link ready, shared by the loops (one
/// atomic add when a link comes or goes, one load per `/healthz`). A load balancer's health
/// check reaches one loop, and the resident's next connection may land on another: `/healthz`
/// says ok only when every loop can serve, not just the one that answered.
public final class LoopReadiness: Sendable {
    public let loops: Int
    private let ready = Atomic<Int>(0)

    public init(loops: Int) { self.loops = loops }

    func linkUp() { ready.add(1, ordering: .relaxed) }
    func linkDown() { ready.subtract(1, ordering: .relaxed) }

    /// Loops whose Redis link is ready now.
    public var readyLoops: Int { ready.load(ordering: .relaxed) }

    public var allReady: Bool { readyLoops >= loops }
}

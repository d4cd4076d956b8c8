import ClaimAuth
import ClaimCore

/// The channels that carry verified resident tokens between a gateway's loops, one per ordered
/// pair (`TokenShareChannel`). Made once for the loops (`GatewayLoops`), shared like the metrics
/// registry; each loop uses its own end (`LoopTokenShares`).
public final class TokenShares: Sendable {
    let loops: Int
    private let channels: [TokenShareChannel]

    public init(loops: Int) {
        self.loops = loops
        channels = (0..<(loops * loops)).map { _ in TokenShareChannel() }
    }

    func channel(from sender: Int, to receiver: Int) -> TokenShareChannel { channels[sender * loops + receiver] }
}

/// One loop's end of `TokenShares`: the tokens it verifies go to every other loop, and the ones
/// they verified join its cache before it would verify one itself. Not `Sendable`: the loop's.
final class LoopTokenShares {
    private final class Peer {
        let outgoing: TokenShareChannel
        let incoming: TokenShareChannel
        /// Verified here, not posted yet (the receiver held the lock).
        var pending: [TokenShareChannel.Shared] = []
        /// Given back by the receiver; emptied here, where they were made.
        var returned: [TokenShareChannel.Shared] = []
        /// The last tokens taken from this peer, handed back with the next take.
        var taken: [TokenShareChannel.Shared] = []

        init(outgoing: TokenShareChannel, incoming: TokenShareChannel) {
            self.outgoing = outgoing
            self.incoming = incoming
        }
    }

    private let peers: [Peer]
    /// Some peer's post found the lock held: `flush` tries again.
    private(set) var hasPending = false

    init(shares: TokenShares, loop index: Int) {
        peers = (0..<shares.loops).filter { $0 != index }.map {
            Peer(outgoing: shares.channel(from: index, to: $0), incoming: shares.channel(from: $0, to: index))
        }
    }

    /// A token this loop verified with the keys of `generation`: to every other loop.
    func share(_ verified: VerifiedToken, generation: Int) {
        let shared = TokenShareChannel.Shared(verified: verified, generation: generation)
        for p in peers { p.pending.append(shared) }
        flush()
    }

    /// Posts what is pending; what finds a lock held waits for the next call.
    func flush() {
        var left = false
        for p in peers where !p.pending.isEmpty {
            if p.outgoing.post(&p.pending, returned: &p.returned) {
                p.returned.removeAll(keepingCapacity: true)
            } else {
                // Bounded while a peer holds its lock (it holds it for a few array operations).
                if p.pending.count > p.outgoing.capacity { p.pending.removeFirst() }
                left = true
            }
        }
        hasPending = left
    }

    /// Whether another loop has posted since this one last took.
    var anyPosted: Bool {
        for p in peers where p.incoming.hasPosted { return true }
        return false
    }

    /// Takes what the other loops posted into `cache`, keeping those verified with the keys of
    /// `generation` (a reload since makes the rest stale); how many joined the cache.
    func absorb(into cache: VerifiedTokenCache, generation: Int, now: Instant) -> Int {
        var kept = 0
        for p in peers where p.incoming.take(&p.taken) {
            for shared in p.taken where shared.generation == generation {
                if cache.keepShared(shared.verified, now: now) { kept += 1 }
            }
        }
        return kept
    }
}

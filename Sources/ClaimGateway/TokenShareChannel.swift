import ClaimAuth
import Synchronization

/// Resident tokens one loop verified, on their way to another loop's `VerifiedTokenCache`: a
/// resident whose retap comes in on a connection of the other loop (a new connection, a phone
/// behind a balancer) costs that loop a cache lookup, not a second signature check (ES256: 38 us
/// of a core; RESULTS.md, ninth session). One direction, one sender loop, one receiver loop.
///
/// Neither loop waits for the other: both only try the lock, which each holds for a few array
/// operations. A post that finds it held stays with the sender for its next try; a take that
/// finds it held is tried again at the receiver's next request or before it sleeps (`hasPosted`
/// stays set).
///
/// Memory goes back where it came from, as with `TokenCheckWorker`: a `VerifiedToken`'s text was
/// allocated by the sender, and a free of it on the receiver could wait on the sender's malloc
/// arena. The receiver keeps a copy of its own (`VerifiedTokenCache.keep`) and hands what it
/// took back with its next take (`spent`); the sender lets go of them at its next post.
final class TokenShareChannel: Sendable {
    /// A token verified by the sender with the keys of `generation` (`TokenKeysBox`'s count of
    /// key publications): a receiver on other keys drops it.
    struct Shared: Sendable {
        let verified: VerifiedToken
        let generation: Int
    }

    private let state = Mutex(HandBack<Shared>())
    /// Set by the sender after each post: the receiver looks at the lock only when it is set.
    private let posted = Atomic<Bool>(false)
    /// The most tokens waiting for a receiver that does not take them (a loop stuck elsewhere):
    /// beyond it the newest are not posted. They are only a saving, never an answer.
    let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// Sender: moves `outgoing` into the channel and takes back into `returned` (empty on entry)
    /// what the receiver has used; false if the receiver holds the lock at this instant, when
    /// `outgoing` stays as it was. The caller empties `returned` itself, on its own thread.
    func post(_ outgoing: inout [Shared], returned: inout [Shared]) -> Bool {
        let moved =
            state.withLockIfAvailable { s in
                let room = max(0, capacity - s.fresh.count)
                s.fresh.append(contentsOf: outgoing.prefix(room))
                swap(&s.spent, &returned)
                return true
            } ?? false
        guard moved else { return false }
        // Released here, on the sender: these are its own allocations (the channel holds a
        // reference to each one it took).
        outgoing.removeAll(keepingCapacity: true)
        posted.store(true, ordering: .releasing)
        return true
    }

    /// Receiver: whether the sender has posted since the last take.
    var hasPosted: Bool { posted.load(ordering: .relaxed) }

    /// Receiver: takes the tokens posted since the last take into `batch`, and hands what `batch`
    /// held (the ones it has used) back to the sender; false if the sender holds the lock at
    /// this instant, when `batch` is as it was and `hasPosted` stays set.
    func take(_ batch: inout [Shared]) -> Bool {
        guard posted.exchange(false, ordering: .acquiring) else { return false }
        let taken = state.tryExchange(&batch)
        if !taken { posted.store(true, ordering: .relaxed) }
        return taken
    }

    /// Runs `body` holding the lock, as the other loop would at that instant (tests).
    func holdingLock(_ body: () -> Void) { state.withLock { _ in body() } }
}

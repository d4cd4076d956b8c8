import ClaimAuth
import ClaimCore
import ClaimPOSIX
import Foundation
import Synchronization

/// One loop's helper thread, under SCHED_IDLE, that verifies the resident tokens the loop heard
/// before a window opened (answered `not_open` before their token was read), so the same
/// residents' taps at the opening find their tokens in the loop's cache: the signature checks
/// leave the busiest second for CPU no one else wanted before it. Verifying them on the loop
/// itself, even at half its time, took the CPU the answers and the rest of the machine needed
/// (p99 before the opening 0.3 -> 6-9 ms at 30,000 taps/s: RESULTS.md, sixth session).
///
/// The loop hands tokens over with `submit` (copied into a ring of fixed size under a lock:
/// full, the token is refused and verified at its claim as before) and takes the outcomes with
/// `takeOutcomes` when `ready` fires. Each outcome names the generation of keys it was checked
/// with, so one verified under keys a reload has since replaced is dropped. What crosses
/// threads is `Sendable` values under a `Mutex`, and the loop never waits for it: the thread
/// runs at idle priority, and preempted while it holds a lock it would hold the loop for as long
/// as the machine stays busy (before this, loops blocked 0.14-2.2 ms on it during a crowd's taps:
/// RESULTS.md, seventh session). So the loop only tries the lock: a token not handed over is
/// offered again at its owner's next tap, and outcomes not taken are announced again.
///
/// Memory goes back where it came from: an outcome's `VerifiedToken` is made on the thread,
/// and a free on the loop of what the thread allocated can wait on the thread's malloc arena
/// (held by a thread preempted inside BoringSSL's allocations). The loop's cache keeps a copy of
/// its own (`VerifiedTokenCache.keep`) and hands the outcomes back with its next take; the
/// thread frees them. The two arrays of outcomes go back and forth, each reused.
final class TokenCheckWorker: Sendable {
    /// What the thread reads: the tokens to verify and the keys to verify them with.
    private struct Inbox {
        var tokens: TokenCheckQueue
        var keys: TokenKeySet
        var generation: Int
        var stopped = false
    }

    /// A token verified (or refused), by digest, with the generation of keys used.
    struct Outcome: Sendable {
        let digest: TokenDigest
        let verified: VerifiedToken?
        let generation: Int
    }

    private let inbox: Mutex<Inbox>
    /// What the loop reads: new outcomes, and the ones it has used, for the thread to free.
    private let outbox = Mutex(HandBack<Outcome>())
    /// Set by the loop when the outbox was busy as it looked: the thread then fires `ready` again
    /// after its next outcome, so none waits unannounced.
    private let missed = Atomic<Bool>(false)
    /// One signal per token submitted, and one to stop.
    private let work = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// Fires when outcomes wait in an outbox that was empty: the loop watches it.
    let ready: WakeupSignal
    private let skew: Int64
    private let clock: any ClaimClock

    /// Starts the thread, with a ring of `bytes` for tokens waiting.
    init(bytes: Int, keys: TokenKeySet, clockSkewMilliseconds: Int64, clock: any ClaimClock) throws(ClaimPOSIX
        .POSIXError)
    {
        inbox = Mutex(Inbox(tokens: TokenCheckQueue(bytes: bytes), keys: keys, generation: 0))
        ready = try WakeupSignal()
        skew = clockSkewMilliseconds
        self.clock = clock
        Thread { [self] in run() }.start()
    }

    /// Keeps `token` to verify; false if the ring is full (or the token cannot be one) or the
    /// thread is taking a token from it at this instant (the loop does not wait).
    func submit(_ token: UnsafeRawBufferPointer) -> Bool {
        // The ring copies the bytes under the lock; the caller's buffer is not kept.
        nonisolated(unsafe) let bytes = token
        let kept = inbox.withLockIfAvailable { $0.tokens.append(bytes) } ?? false
        if kept { work.signal() }
        return kept
    }

    /// Verifies with `keys` from now on; the new generation (outcomes of older ones are stale).
    func replaceKeys(_ keys: TokenKeySet) -> Int {
        inbox.withLock {
            $0.keys = keys
            $0.generation += 1
            return $0.generation
        }
    }

    /// Takes the outcomes ready since the last take into `batch`, oldest first, and hands what
    /// `batch` held (the outcomes the loop has used) back to the thread, which frees them; false
    /// if the thread is adding one at this instant: `batch` is as it was (then `ready` fires
    /// again after it).
    func takeOutcomes(_ batch: inout [Outcome]) -> Bool {
        _ = ready.drain()
        if tryTake(&batch) { return true }
        missed.store(true, ordering: .sequentiallyConsistent)
        // The thread may have let go before it saw `missed`: one more try covers that; if the
        // lock is still held, the thread sees `missed` after letting go, and fires.
        return tryTake(&batch)
    }

    private func tryTake(_ batch: inout [Outcome]) -> Bool { outbox.tryExchange(&batch) }

    /// Runs `body` holding the locks the thread takes for each token, as a thread preempted
    /// inside them would (tests).
    func holdingLocks(_ body: () -> Void) {
        inbox.withLock { _ in outbox.withLock { _ in body() } }
    }

    /// Runs `body` holding the outbox's lock only, as the thread does while it adds an outcome
    /// (tests).
    func holdingOutbox(_ body: () -> Void) {
        outbox.withLock { _ in body() }
    }

    /// Stops the thread (tokens still waiting are dropped) and waits for it, at most a second.
    func stop() {
        inbox.withLock { $0.stopped = true }
        work.signal()
        _ = finished.wait(timeout: .now() + 1)
    }

    private func run() {
        defer { finished.signal() }
        // Refused (a sandbox that forbids it), the thread verifies at normal priority.
        _ = IdleScheduling.applyToCurrentThread()
        var generation = -1
        var verifier: TokenVerifier?
        // Reused for every token: nothing is allocated while the lock is held.
        var token: [UInt8] = []
        token.reserveCapacity(TokenVerifier.maxTokenBytes)
        // The outcomes the loop handed back, freed here, outside the lock.
        var spent: [Outcome] = []
        while true {
            work.wait()
            token.removeAll(keepingCapacity: true)
            let (stopped, keys) = inbox.withLock { i in
                i.tokens.removeFirst { token.append(contentsOf: $0) }
                return (i.stopped, i.generation == generation ? nil : (i.keys, i.generation))
            }
            if stopped { return }
            guard !token.isEmpty else { continue }
            if let (keys, current) = keys {
                verifier = TokenVerifier(keys: keys, clockSkewMilliseconds: skew)
                generation = current
            }
            guard let verifier else { continue }
            let outcome = token.withUnsafeBytes { t in
                let verified = try? VerifiedToken.check(t, now: clock.now(), with: verifier).get()
                return Outcome(
                    digest: verified?.digest ?? TokenDigest(of: t), verified: verified, generation: generation)
            }
            let wasEmpty = outbox.withLock { o in
                o.fresh.append(outcome)
                if spent.isEmpty { swap(&o.spent, &spent) }
                return o.fresh.count == 1
            }
            spent.removeAll(keepingCapacity: true)
            if missed.exchange(false, ordering: .sequentiallyConsistent) || wasEmpty { ready.fire() }
        }
    }
}

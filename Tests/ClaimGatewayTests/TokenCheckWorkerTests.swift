import ClaimAuth
import ClaimCore
import ClaimPOSIX
import Foundation
import Synchronization
import Testing

@testable import ClaimGateway

/// The thread that verifies, at idle priority, tokens heard before a window opened.
@Suite struct TokenCheckWorkerTests {
    let now = Instant(unixMilliseconds: 1_654_826_400_000)
    let key: TokenSigningKey
    init() throws { key = try TokenSigningKey.generate(.es256, id: "w1") }

    func token(_ person: String) -> String {
        TokenSigner(privateKey: key).sign(
            PersonToken(
                person: person,
                facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
                expiresAt: now.adding(milliseconds: 600_000)))
    }

    func submit(_ w: TokenCheckWorker, _ t: String) -> Bool {
        var t = t
        return t.withUTF8 { w.submit(UnsafeRawBufferPointer($0)) }
    }

    /// Waits (a bounded number of times) for `ready` and gathers outcomes until `count` came.
    func outcomes(_ w: TokenCheckWorker, count: Int) -> [TokenCheckWorker.Outcome] {
        var out: [TokenCheckWorker.Outcome] = []
        var batch: [TokenCheckWorker.Outcome] = []
        for _ in 0..<400 where out.count < count {
            if w.takeOutcomes(&batch) { out += batch }
            usleep(5_000)
        }
        return out
    }

    @Test func genuineTokensComeBackVerifiedForgedOnesRefusedWithTheirKeysGeneration() throws {
        let w = try TokenCheckWorker(
            bytes: 1 << 16, keys: TokenKeySet(keys: [key.publicKey]), clockSkewMilliseconds: 0,
            clock: FixedClock(now))
        defer { w.stop() }
        let good = token("g1")
        var bytes = Array(good.utf8)
        bytes[bytes.count - 3] = bytes[bytes.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let forged = String(decoding: bytes, as: UTF8.self)
        #expect(submit(w, good) && submit(w, forged))
        let first = outcomes(w, count: 2)
        #expect(first.count == 2)
        #expect(first.map { $0.verified != nil } == [true, false])
        #expect(first.allSatisfy { $0.generation == 0 })
        // A reload: what is checked from now on says so.
        let generation = w.replaceKeys(TokenKeySet(keys: []))
        #expect(generation == 1)
        #expect(submit(w, good))
        let second = outcomes(w, count: 1)
        #expect(second.count == 1 && second.first?.generation == 1 && second.first?.verified == nil)
    }

    @Test func aFullRingRefusesAndTheThreadStops() throws {
        let w = try TokenCheckWorker(
            bytes: 64, keys: TokenKeySet(keys: [key.publicKey]), clockSkewMilliseconds: 0, clock: FixedClock(now))
        // An ES256 token is longer than this whole ring.
        #expect(!submit(w, token("long")))
        w.stop()
    }

    /// Issue "The 10:00 spike without a tail": the thread runs at idle priority, and a loop that
    /// waited for a lock the thread held while preempted stalled with it (0.14-2.2 ms, traced
    /// during a crowd's taps). The loop neither hands over nor takes outcomes while the thread
    /// holds them: it goes on at once.
    @Test func theLoopNeverWaitsForALockTheThreadHolds() throws {
        let w = try TokenCheckWorker(
            bytes: 1 << 16, keys: TokenKeySet(keys: [key.publicKey]), clockSkewMilliseconds: 0,
            clock: FixedClock(now))
        defer { w.stop() }
        let released = Flag()
        let held = DispatchSemaphore(value: 0)
        Thread {
            w.holdingLocks {
                held.signal()
                usleep(300_000)
                released.set()
            }
        }.start()
        held.wait()
        #expect(!submit(w, token("busy")))
        var batch: [TokenCheckWorker.Outcome] = []
        #expect(!w.takeOutcomes(&batch))
        // Both came back while the locks were still held.
        #expect(!released.isSet)
        for _ in 0..<400 where !released.isSet { usleep(5_000) }
        // Let go, the thread takes tokens again.
        #expect(submit(w, token("free")))
        #expect(outcomes(w, count: 1).first?.verified != nil)
    }

    /// Outcomes the loop could not take (the thread was adding one) are announced again: `ready`
    /// fires after the thread's next outcome even when the outbox was not empty.
    @Test func anOutcomeTheLoopCouldNotTakeIsAnnouncedAgain() throws {
        let w = try TokenCheckWorker(
            bytes: 1 << 16, keys: TokenKeySet(keys: [key.publicKey]), clockSkewMilliseconds: 0,
            clock: FixedClock(now))
        defer { w.stop() }
        #expect(submit(w, token("first")))
        var fired = false
        for _ in 0..<400 where !fired {
            fired = w.ready.drain()
            if !fired { usleep(5_000) }
        }
        #expect(fired, "the first outcome was announced")
        let held = DispatchSemaphore(value: 0)
        let letGo = DispatchSemaphore(value: 0)
        Thread {
            w.holdingOutbox {
                held.signal()
                letGo.wait()
            }
        }.start()
        held.wait()
        #expect(submit(w, token("second")))
        // The thread is adding (or about to add) the second: the loop takes nothing and goes on.
        var batch: [TokenCheckWorker.Outcome] = []
        #expect(!w.takeOutcomes(&batch) && batch.isEmpty)
        letGo.signal()
        fired = false
        for _ in 0..<400 where !fired {
            fired = w.ready.drain()
            if !fired { usleep(5_000) }
        }
        #expect(fired, "the outcomes waiting were announced again")
        #expect(outcomes(w, count: 2).count == 2)
    }

    /// Each take hands the outcomes the loop used back to the thread (which frees them where
    /// they were made) and brings only new ones.
    @Test func eachTakeBringsOnlyNewOutcomes() throws {
        let w = try TokenCheckWorker(
            bytes: 1 << 16, keys: TokenKeySet(keys: [key.publicKey]), clockSkewMilliseconds: 0,
            clock: FixedClock(now))
        defer { w.stop() }
        var batch: [TokenCheckWorker.Outcome] = []
        var seen: [TokenDigest] = []
        for person in ["p1", "p2", "p3"] {
            let t = token(person)
            #expect(submit(w, t))
            var taken = false
            for _ in 0..<400 where !taken {
                taken = w.takeOutcomes(&batch) && !batch.isEmpty
                if !taken { usleep(5_000) }
            }
            #expect(batch.count == 1, "only \(person)'s outcome, not the ones taken before")
            let digest = Array(t.utf8).withUnsafeBytes { TokenDigest(of: $0) }
            #expect(batch.first?.digest == digest && batch.first?.verified != nil)
            seen += batch.map(\.digest)
        }
        #expect(Set(seen).count == 3)
    }
}

/// A flag one thread sets and another reads.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
}

import ClaimCore
import Testing

@testable import ClaimAuth

/// The ring of tokens kept for the thread that verifies them ahead of the opening.
@Suite struct TokenCheckQueueTests {
    func append(_ q: inout TokenCheckQueue, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { q.append($0) }
    }

    func removeFirst(_ q: inout TokenCheckQueue) -> [UInt8]? {
        var out: [UInt8]?
        q.removeFirst { out = Array($0) }
        return out
    }

    /// Against a plain array, over thousands of appends and removals of every length: each
    /// token kept comes out once, in order, byte for byte, across every wrap of the ring; a
    /// token is refused only when the ring holds others (an empty ring takes any that fits).
    @Test func tokensComeOutInOrderAcrossWrapsOfTheRing() {
        var q = TokenCheckQueue(bytes: 97)
        var model: [[UInt8]] = []
        var rng = SplitMix64(seed: 7)
        var kept = 0
        var refusedWhileHolding = 0
        for step in 0..<20_000 {
            if rng.next() % 3 != 0 {
                let n = Int(rng.next() % 40) + 1
                let token = (0..<n).map { UInt8(truncatingIfNeeded: step &+ $0) }
                if append(&q, token) {
                    model.append(token)
                    kept += 1
                } else {
                    #expect(!model.isEmpty, "an empty ring refused \(n) bytes")
                    refusedWhileHolding += 1
                }
            } else {
                #expect(removeFirst(&q) == model.first)
                if !model.isEmpty { model.removeFirst() }
            }
            #expect(q.count == model.count)
        }
        while let t = removeFirst(&q) { #expect(t == model.removeFirst()) }
        #expect(model.isEmpty && q.isEmpty)
        #expect(kept > 5_000 && refusedWhileHolding > 100 && q.refused == refusedWhileHolding)
    }

    @Test func anEmptyTokenOneTooLongOrOneLargerThanTheRingIsRefused() {
        var q = TokenCheckQueue(bytes: 4096)
        #expect(!append(&q, []))
        #expect(!append(&q, [UInt8](repeating: 65, count: TokenVerifier.maxTokenBytes + 1)))
        #expect(append(&q, [UInt8](repeating: 65, count: TokenVerifier.maxTokenBytes)))
        var small = TokenCheckQueue(bytes: 10)
        #expect(!append(&small, [UInt8](repeating: 1, count: 9)))
        #expect(append(&small, [UInt8](repeating: 1, count: 8)))
        // Full: the newest is refused, the oldest kept.
        #expect(!append(&small, [2]))
        #expect(removeFirst(&small) == [UInt8](repeating: 1, count: 8))
        #expect(append(&small, [2]))
        #expect(TokenCheckQueue(bytes: 0).isEmpty)
        var none = TokenCheckQueue(bytes: 0)
        #expect(!append(&none, [1]))
        #expect(q.refused == 2 && small.refused == 2 && none.refused == 1)
    }
}

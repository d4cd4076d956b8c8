import ClaimAuth
import ClaimCore
import Testing

@testable import ClaimGateway

/// Verified resident tokens passed between loops, so a retap on another loop's connection is
/// not verified again; what was passed goes back to the loop that made it.
@Suite struct TokenSharesTests {
    let now = Instant(unixMilliseconds: 1_654_826_400_000)
    let key: TokenSigningKey
    let verifier: TokenVerifier
    init() throws {
        key = try TokenSigningKey.generate(.es256, id: "s1")
        verifier = TokenVerifier(keys: TokenKeySet(keys: [key.publicKey]), clockSkewMilliseconds: 0)
    }

    func verified(_ person: String) throws -> VerifiedToken {
        var t = TokenSigner(privateKey: key).sign(
            PersonToken(
                person: person,
                facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
                expiresAt: now.adding(milliseconds: 600_000)))
        return try t.withUTF8 { try VerifiedToken.check(UnsafeRawBufferPointer($0), now: now, with: verifier).get() }
    }

    func shared(_ person: String) throws -> TokenShareChannel.Shared {
        TokenShareChannel.Shared(verified: try verified(person), generation: 0)
    }

    @Test func postedTokensAreTakenAndWhatWasTakenGoesBackToTheSender() throws {
        let channel = TokenShareChannel()
        let (a, b) = (try shared("a"), try shared("b"))
        var outgoing = [a, b]
        var returned: [TokenShareChannel.Shared] = []
        #expect(!channel.hasPosted)
        #expect(channel.post(&outgoing, returned: &returned))
        #expect(outgoing.isEmpty && returned.isEmpty)
        #expect(channel.hasPosted)
        var batch: [TokenShareChannel.Shared] = []
        #expect(channel.take(&batch))
        #expect(batch.map(\.verified.digest) == [a.verified.digest, b.verified.digest])
        #expect(!channel.hasPosted)
        // Nothing new: no take (the lock is not even looked at).
        #expect(!channel.take(&batch))
        #expect(batch.count == 2)
        // The next post brings a new one; the next take hands the used two back...
        outgoing = [try shared("c")]
        #expect(channel.post(&outgoing, returned: &returned))
        #expect(channel.take(&batch))
        #expect(batch.count == 1)
        // ...which the sender gets at its next post, to free on its own thread.
        outgoing = [try shared("d")]
        #expect(channel.post(&outgoing, returned: &returned))
        #expect(returned.count == 2)
    }

    @Test func neitherSideWaitsForTheOther() throws {
        let channel = TokenShareChannel()
        var outgoing = [try shared("a")]
        var returned: [TokenShareChannel.Shared] = []
        // The receiver holds the lock: the post is kept for later, untouched.
        channel.holdingLock { #expect(!channel.post(&outgoing, returned: &returned)) }
        #expect(outgoing.count == 1 && !channel.hasPosted)
        #expect(channel.post(&outgoing, returned: &returned))
        // The sender holds it: the take fails, and is tried again at the next look.
        var batch: [TokenShareChannel.Shared] = []
        channel.holdingLock { #expect(!channel.take(&batch)) }
        #expect(batch.isEmpty && channel.hasPosted)
        #expect(channel.take(&batch) && batch.count == 1)
    }

    @Test func aChannelHoldsAtMostItsCapacity() throws {
        let channel = TokenShareChannel(capacity: 2)
        var outgoing = [try shared("a"), try shared("b"), try shared("c")]
        var returned: [TokenShareChannel.Shared] = []
        #expect(channel.post(&outgoing, returned: &returned))
        var batch: [TokenShareChannel.Shared] = []
        #expect(channel.take(&batch) && batch.count == 2)
    }

    @Test func eachLoopGetsTheOthersTokensWithTheSameKeysOnly() throws {
        let shares = TokenShares(loops: 3)
        let ends = (0..<3).map { LoopTokenShares(shares: shares, loop: $0) }
        let caches = (0..<3).map { _ in VerifiedTokenCache(capacity: 64) }
        let a = try verified("a")
        ends[0].share(a, generation: 0)
        #expect(!ends[0].anyPosted && ends[1].anyPosted && ends[2].anyPosted)
        #expect(ends[1].absorb(into: caches[1], generation: 0, now: now) == 1)
        #expect(caches[1].holds(a.digest))
        // A loop that took new keys since does not keep what the old ones verified.
        #expect(ends[2].absorb(into: caches[2], generation: 1, now: now) == 0)
        #expect(!caches[2].holds(a.digest))
        // Nothing comes back to the loop that sent it.
        #expect(ends[0].absorb(into: caches[0], generation: 0, now: now) == 0)
    }

    @Test func aPostThatFindsTheLockHeldIsSentLater() throws {
        let shares = TokenShares(loops: 2)
        let (a, b) = (LoopTokenShares(shares: shares, loop: 0), LoopTokenShares(shares: shares, loop: 1))
        let token = try verified("a")
        shares.channel(from: 0, to: 1).holdingLock { a.share(token, generation: 0) }
        #expect(a.hasPending && !b.anyPosted)
        a.flush()
        #expect(!a.hasPending && b.anyPosted)
        let cache = VerifiedTokenCache(capacity: 64)
        #expect(b.absorb(into: cache, generation: 0, now: now) == 1)
    }
}

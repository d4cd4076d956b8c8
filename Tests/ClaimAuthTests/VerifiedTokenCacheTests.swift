import ClaimCore
import Testing

@testable import ClaimAuth

@Suite struct VerifiedTokenCacheTests {
    let now = Instant(unixMilliseconds: 1_654_826_400_000)
    let key: TokenSigningKey

    init() throws { key = try TokenSigningKey.generate(.edDSA, id: "c1") }

    func token(_ person: String, lifetime: Int64 = 600_000) -> String {
        TokenSigner(privateKey: key).sign(
            PersonToken(
                person: person,
                facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
                expiresAt: now.adding(milliseconds: lifetime)))
    }

    func verify(_ cache: VerifiedTokenCache, _ t: String, at: Instant? = nil) -> Result<PersonToken, TokenError> {
        let verifier = TokenVerifier(keys: TokenKeySet(keys: [key.publicKey]))
        var t = t
        return t.withUTF8 { cache.verify(UnsafeRawBufferPointer($0), now: at ?? now, with: verifier) }
    }

    /// `t` verified away from a cache, as the thread beside the loop or another loop does.
    func check(_ t: String, at: Instant? = nil) -> VerifiedToken? {
        let verifier = TokenVerifier(keys: TokenKeySet(keys: [key.publicKey]))
        var t = t
        return t.withUTF8 {
            try? VerifiedToken.check(UnsafeRawBufferPointer($0), now: at ?? now, with: verifier).get()
        }
    }

    func digest(_ t: String) -> TokenDigest {
        var t = t
        return t.withUTF8 { TokenDigest(of: UnsafeRawBufferPointer($0)) }
    }

    @Test func aRetryIsAHitAndGetsTheSameAnswer() {
        let cache = VerifiedTokenCache(capacity: 1000)
        #expect(cache.capacity == 1024)
        let t = token("u1")
        let first = verify(cache, t)
        #expect(verify(cache, t) == first)
        #expect(verify(cache, t) == first)
        #expect(cache.hits == 2)
        #expect(cache.misses == 1)
    }

    /// Only the very token verified is answered from the cache: one changed byte is verified
    /// afresh (and fails), whatever its slot holds.
    @Test func anAlteredTokenIsNeverAnsweredFromTheCache() {
        let cache = VerifiedTokenCache(capacity: 4)
        let t = token("u2")
        #expect((try? verify(cache, t).get())?.person == "u2")
        var bytes = Array(t.utf8)
        bytes[bytes.count - 2] = bytes[bytes.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(verify(cache, String(decoding: bytes, as: UTF8.self)) == .failure(.badSignature))
        #expect(cache.hits == 0)
    }

    /// A full set gives up the token that expires first: a long-lived one outlasts a crowd of
    /// short-lived ones.
    @Test func aFullSetEvictsWhatExpiresFirst() {
        let cache = VerifiedTokenCache(capacity: 4)
        let long = token("long", lifetime: 3_600_000)
        _ = verify(cache, long)
        for i in 0..<50 { _ = verify(cache, token("s\(i)", lifetime: 60_000)) }
        let before = cache.hits
        #expect(verify(cache, long).map(\.person) == .success("long"))
        #expect(cache.hits == before + 1)
    }

    @Test func aCachedTokenStillExpires() {
        let cache = VerifiedTokenCache(capacity: 16)
        let t = token("u3", lifetime: 1000)
        #expect((try? verify(cache, t).get()) != nil)
        #expect(verify(cache, t, at: now.adding(milliseconds: 1000)) == .failure(.expired))
        #expect(verify(cache, t, at: now.adding(milliseconds: 999)).map(\.person) == .success("u3"))
    }

    /// Bounded: however many people, a cache holds its capacity; a full one keeps verifying.
    @Test func aCrowdNeverGrowsTheCache() {
        let cache = VerifiedTokenCache(capacity: 4)
        for i in 0..<200 { #expect(verify(cache, token("p\(i)")).map(\.person) == .success("p\(i)")) }
        #expect(cache.capacity == 4)
        #expect(cache.misses == 200)
        // The latest person is kept (a full set gives up the slot that expires first).
        #expect(verify(cache, token("p199")).map(\.person) == .success("p199"))
        #expect(cache.hits == 1)
        let none = VerifiedTokenCache(capacity: 0)
        #expect(verify(none, token("z")).map(\.person) == .success("z"))
        #expect(none.capacity == 0)
    }

    /// A token verified elsewhere (tapped before the opening, checked on another thread) is
    /// kept only as `VerifiedToken.check` made it, which only a genuine, alive token gets: the
    /// request at the opening is then a hit.
    @Test func onlyAGenuineTokenVerifiedElsewhereIsKept() {
        let cache = VerifiedTokenCache(capacity: 16)
        let genuine = token("a1")
        var forged = Array(genuine.utf8)
        forged[forged.count - 3] = forged[forged.count - 3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let forgedToken = String(decoding: forged, as: UTF8.self)
        let expired = token("a2", lifetime: 1000)
        #expect(check(forgedToken) == nil)
        #expect(check(expired, at: now.adding(milliseconds: 1000)) == nil)
        guard let verified = check(genuine) else { return #expect(Bool(false), "a genuine token did not verify") }
        #expect(verified.digest == digest(genuine))
        #expect(!cache.holds(digest(genuine)))
        cache.keep(verified, now: now)
        #expect(cache.holds(digest(genuine)) && !cache.holds(digest(forgedToken)))
        // No request asked yet: no hit or miss counted.
        #expect((cache.hits, cache.misses) == (0, 0))
        #expect(verify(cache, genuine).map(\.person) == .success("a1"))
        #expect(verify(cache, forgedToken) == .failure(.badSignature))
        #expect((cache.hits, cache.misses) == (1, 1))
        // Kept once only; and one that has expired by the time it arrives is not kept.
        cache.keep(verified, now: now)
        let late = VerifiedTokenCache(capacity: 16)
        if let v = check(expired) { late.keep(v, now: now.adding(milliseconds: 1000)) }
        #expect(!late.holds(digest(expired)))
    }

    /// A token verified on another thread is kept as a copy in the cache's own memory: freeing
    /// the original's text on the loop could wait on the verifying thread's malloc arena.
    @Test func aTokenKeptFromElsewhereSharesNoMemoryWithIt() throws {
        let cache = VerifiedTokenCache(capacity: 16)
        let verifier = TokenVerifier(keys: TokenKeySet(keys: [key.publicKey]))
        // Longer than 15 bytes, so the id's text is on the heap, not inline.
        var t = token("resident-0000000000000042")
        let verified = try t.withUTF8 {
            try VerifiedToken.check(UnsafeRawBufferPointer($0), now: now, with: verifier).get()
        }
        cache.keep(verified, now: now)
        let kept = try verify(cache, t).get()
        #expect(cache.hits == 1)
        #expect(kept == verified.token)
        func storage(_ s: String) -> UInt? {
            s.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } ?? nil
        }
        #expect(storage(kept.person) != nil && storage(kept.person) != storage(verified.token.person))
    }

    /// Tokens another loop verified take only room this loop's residents do not use: with
    /// sticky connections they would otherwise push out a crowd's tokens verified ahead.
    @Test func aSharedTokenNeverPushesOutOneOfTheLoopsOwn() throws {
        // One set of four: every token competes with every other.
        let cache = VerifiedTokenCache(capacity: 4)
        let own = (0..<4).map { token("own\($0)", lifetime: 600_000 + Int64($0) * 1000) }
        for t in own { _ = verify(cache, t) }
        let visitor = token("visitor")
        let v = try #require(check(visitor))
        #expect(!cache.keepShared(v, now: now))
        #expect(own.allSatisfy { cache.holds(digest($0)) } && !cache.holds(v.digest))
        // A full set of the loop's own still takes one of its own (the first to expire goes).
        _ = verify(cache, token("own4", lifetime: 900_000))
        #expect(!cache.holds(digest(own[0])) && cache.holds(digest(own[1])))
    }

    @Test func aSharedTokenIsTheFirstToGoUntilItsResidentTapsHere() throws {
        let cache = VerifiedTokenCache(capacity: 4)
        let own = (0..<3).map { token("own\($0)", lifetime: 600_000 + Int64($0) * 1000) }
        for t in own { _ = verify(cache, t) }
        // Expires last of all, yet goes first: it is only another loop's.
        let visitor = token("visitor", lifetime: 900_000)
        #expect(cache.keepShared(try #require(check(visitor)), now: now))
        _ = verify(cache, token("own3"))
        #expect(!cache.holds(digest(visitor)) && own.allSatisfy { cache.holds(digest($0)) })
        // Shared again, then asked for here: it is the loop's own from then on.
        let again = token("again", lifetime: 900_000)
        let held = (0..<4).map { token("held\($0)", lifetime: 600_000 + Int64($0) * 1000) }
        let other = VerifiedTokenCache(capacity: 4)
        for t in held.prefix(3) { _ = verify(other, t) }
        #expect(other.keepShared(try #require(check(again)), now: now))
        #expect(try verify(other, again).get().person == "again")
        _ = verify(other, held[3])
        #expect(other.holds(digest(again)) && !other.holds(digest(held[0])))
    }

    /// What a loop passes on of a token the thread beside it verified is a copy of its own, so
    /// the thread's original is freed by the thread.
    @Test func anOwnCopyIsEqualAndSharesNoText() throws {
        let v = try #require(check(token("resident-0000000000000042")))
        let copy = v.ownCopy()
        #expect(copy.digest == v.digest && copy.token == v.token)
        func storage(_ s: String) -> UInt? {
            s.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } ?? nil
        }
        #expect(storage(copy.token.person) != nil && storage(copy.token.person) != storage(v.token.person))
    }
}

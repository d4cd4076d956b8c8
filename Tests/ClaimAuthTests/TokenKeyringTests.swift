import ClaimCore
import Testing

@testable import ClaimAuth

@Suite struct TokenKeyringTests {
    let old = Array("the-november-key-32-bytes-long!!".utf8)
    let new = Array("the-december-key-32-bytes-long!!".utf8)
    let now = Instant(unixMilliseconds: 1_654_826_400_000)
    var token: PersonToken {
        PersonToken(
            person: "u7",
            facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
            expiresAt: now.adding(milliseconds: 600_000))
    }

    func rotating() throws -> TokenKeyring {
        try TokenKeyring(keys: [("2026-11", old), ("2026-12", new)], signingKeyID: "2026-12", unkeyedKeyID: "2026-11")
    }

    @Test func bothKeysVerifyDuringARotation() throws {
        let keyring = try rotating()
        let verifier = TokenVerifier(keyring: keyring)
        for key in keyring.keys {
            #expect(verifier.verify(Array(TokenSigner(key: key).sign(token).utf8), now: now) == .success(token))
        }
        // Tokens from before the first rotation carry no kid and meet the named unkeyed key.
        #expect(verifier.verify(Array(TokenSigner(secret: old).sign(token).utf8), now: now) == .success(token))
        #expect(
            TokenSigner(keyring: keyring).sign(token) == TokenSigner(key: .init(id: "2026-12", secret: new)).sign(token)
        )
    }

    @Test func aKidNamesOneKeyAndOnlyThatKey() throws {
        let verifier = TokenVerifier(keyring: try rotating())
        // Signed with the old secret but claiming the new kid: the named key decides.
        let crossed = TokenSigner(key: .init(id: "2026-12", secret: old)).sign(token)
        #expect(verifier.verify(Array(crossed.utf8), now: now) == .failure(.badSignature))
        let unknown = TokenSigner(key: .init(id: "2027-01", secret: new)).sign(token)
        #expect(verifier.verify(Array(unknown.utf8), now: now) == .failure(.unknownKey))
        // Without an unkeyed key, a token without kid names no key.
        let strict = TokenVerifier(keyring: try TokenKeyring(keys: [("2026-12", new)], signingKeyID: "2026-12"))
        #expect(strict.verify(Array(TokenSigner(secret: new).sign(token).utf8), now: now) == .failure(.missingKeyID))
    }

    @Test func headersInAnotherOrderStillFindTheirKey() throws {
        let verifier = TokenVerifier(keyring: try rotating())
        let header = Base64URL.encode(Array(#"{"kid":"2026-11","typ":"JWT","alg":"HS256"}"#.utf8))
        let t = TokenSigner(secret: old).sign(headerSegment: header, payload: token.payload())
        #expect(verifier.verify(Array(t.utf8), now: now) == .success(token))
        let numericKid = Base64URL.encode(Array(#"{"alg":"HS256","kid":7}"#.utf8))
        let n = TokenSigner(secret: old).sign(headerSegment: numericKid, payload: token.payload())
        #expect(verifier.verify(Array(n.utf8), now: now) == .failure(.malformed))
        let none = Base64URL.encode(Array(#"{"alg":"none","kid":"2026-11"}"#.utf8))
        #expect(
            verifier.verify(Array((none + "." + Base64URL.encode(token.payload()) + ".").utf8), now: now)
                == .failure(.unsupportedAlgorithm))
    }

    @Test func badKeyringsAreRefusedWithTheReason() {
        #expect(throws: TokenKeyring.Problem.empty) { try TokenKeyring(keys: [], signingKeyID: "a") }
        #expect(throws: TokenKeyring.Problem.shortSecret("a")) {
            try TokenKeyring(keys: [("a", Array("short".utf8))], signingKeyID: "a")
        }
        #expect(throws: TokenKeyring.Problem.duplicateKeyID("a")) {
            try TokenKeyring(keys: [("a", old), ("a", new)], signingKeyID: "a")
        }
        #expect(throws: TokenKeyring.Problem.badKeyID("a b")) {
            try TokenKeyring(keys: [("a b", old)], signingKeyID: "a b")
        }
        #expect(throws: TokenKeyring.Problem.unknownSigningKey("b")) {
            try TokenKeyring(keys: [("a", old)], signingKeyID: "b")
        }
        #expect(throws: TokenKeyring.Problem.tooManyKeys) {
            try TokenKeyring(keys: (0...TokenKeyring.maxKeys).map { ("k\($0)", old) }, signingKeyID: "k0")
        }
    }
}

import ClaimCore
import Testing

@testable import ClaimAuth

@Suite struct TokenVerifierTests {
    let secret = Array("a-test-secret-of-32-bytes-length".utf8)
    let now = Instant(unixMilliseconds: 1_654_826_400_000)
    var signer: TokenSigner { TokenSigner(secret: secret) }
    var verifier: TokenVerifier { TokenVerifier(secret: secret) }
    var person: PersonToken {
        PersonToken(
            person: "u42",
            facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
            expiresAt: now.adding(milliseconds: 3_600_000))
    }

    func verify(_ token: String) -> Result<PersonToken, TokenError> { verifier.verify(Array(token.utf8), now: now) }

    @Test func acceptsWhatTheIdentityProviderSigned() {
        #expect(verify(signer.sign(person)) == .success(person))
    }

    @Test func refusesAnotherSecretAndAnyTampering() {
        let other = TokenSigner(secret: Array("another-secret-another-secret-xx".utf8)).sign(person)
        #expect(verify(other) == .failure(.badSignature))
        let token = signer.sign(person)
        let parts = token.split(separator: ".").map(String.init)
        var forged = person.payload()
        forged[forged.firstIndex(of: UInt8(ascii: "4"))!] = UInt8(ascii: "5")
        #expect(verify(parts[0] + "." + Base64URL.encode(forged) + "." + parts[2]) == .failure(.badSignature))
    }

    @Test func pinsTheAlgorithm() {
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        #expect(verify(none + "." + Base64URL.encode(person.payload()) + ".") == .failure(.unsupportedAlgorithm))
        let ps = Base64URL.encode(Array(#"{"alg":"PS256"}"#.utf8))
        #expect(verify(signer.sign(headerSegment: ps, payload: person.payload())) == .failure(.unsupportedAlgorithm))
        // RS256 is known, but not the algorithm of this (HS256) key.
        let rs = Base64URL.encode(Array(#"{"alg":"RS256"}"#.utf8))
        #expect(verify(signer.sign(headerSegment: rs, payload: person.payload())) == .failure(.wrongAlgorithm))
    }

    @Test func refusesExpiredTokensAtTheExactSecond() {
        let t = PersonToken(person: "u1", facts: person.facts, expiresAt: now)
        #expect(verify(signer.sign(t)) == .failure(.expired))
    }

    @Test func notBeforeAndExpiryAllowTheConfiguredSkewAndNoMore() {
        let skewed = TokenVerifier(secret: secret, clockSkewMilliseconds: 30_000)
        func at(_ offset: Int64, _ t: PersonToken) -> Result<PersonToken, TokenError> {
            skewed.verify(Array(signer.sign(t).utf8), now: now.adding(milliseconds: offset))
        }
        let early = PersonToken(
            person: "u1", facts: person.facts, expiresAt: now.adding(milliseconds: 3_600_000),
            notBefore: now.adding(milliseconds: 30_000))
        #expect(at(0, early) == .success(early))
        #expect(at(-1, early) == .failure(.notYetValid))
        #expect(verify(signer.sign(early)) == .failure(.notYetValid))
        let ending = PersonToken(person: "u1", facts: person.facts, expiresAt: now)
        #expect(at(29_999, ending) == .success(ending))
        #expect(at(30_000, ending) == .failure(.expired))
        // The skew is bounded whatever a deployment asks for.
        #expect(TokenVerifier(secret: secret, clockSkewMilliseconds: 86_400_000).clockSkewMilliseconds == 300_000)
        #expect(
            verify(signer.sign(payload: Array(#"{"sub":"u1","exp":4102444800,"nbf":"soon"}"#.utf8)))
                == .failure(.badClaim("nbf")))
    }

    @Test func refusesSignedButUnusableClaims() {
        #expect(verify(signer.sign(payload: Array(#"{"exp":4102444800}"#.utf8))) == .failure(.badClaim("sub")))
        #expect(
            verify(signer.sign(payload: Array(#"{"sub":"a b","exp":4102444800}"#.utf8))) == .failure(.badClaim("sub")))
        #expect(verify(signer.sign(payload: Array(#"{"sub":"u1"}"#.utf8))) == .failure(.badClaim("exp")))
        #expect(
            verify(signer.sign(payload: Array(#"{"sub":"u1","exp":4102444800,"acct":"robot"}"#.utf8)))
                == .failure(.badClaim("acct")))
        #expect(
            verify(signer.sign(payload: Array(#"{"sub":"u1","sub":"u2","exp":4102444800}"#.utf8)))
                == .failure(.malformed))
    }

    @Test func refusesMalformedAndOversizedTokens() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "!!.!!.!!", String(repeating: "a", count: 3000)] {
            #expect(throws: Never.self) { _ = verify(bad) }
            if case .success = verify(bad) { Issue.record("accepted \(bad)") }
        }
        #expect(verify(String(repeating: "a", count: 3000)) == .failure(.tooLong))
    }
}

@Suite struct MerchantAndStoreTokenTests {
    let secret = Array("a-test-secret-of-32-bytes-length".utf8)
    let now = Instant(unixMilliseconds: 1_654_826_400_000)
    var later: Instant { now.adding(milliseconds: 3_600_000) }

    @Test func merchantTokensCarryTheirCategories() {
        let m = MerchantToken(merchant: "m-1", categories: ["restaurant", "bakery"], expiresAt: later)
        let token = TokenSigner(secret: secret).sign(payload: m.payload())
        #expect(TokenVerifier(secret: secret).verifyMerchant(Array(token.utf8), now: now) == .success(m))
    }

    @Test func rolesDoNotCross() {
        let signer = TokenSigner(secret: secret)
        let verifier = TokenVerifier(secret: secret)
        let m = signer.sign(payload: MerchantToken(merchant: "m-1", categories: ["x"], expiresAt: later).payload())
        #expect(verifier.verify(Array(m.utf8), now: now) == .failure(.badClaim("role")))
        let r = signer.sign(
            PersonToken(
                person: "u1", facts: EligibilityFacts(region: "", realName: true, cardPrefix: "", account: .individual),
                expiresAt: later))
        #expect(verifier.verifyMerchant(Array(r.utf8), now: now) == .failure(.badClaim("role")))
    }

    @Test func storeQRCodesNeedTheOperatorsSecret() {
        let qrSecret = Array("operators-store-qr-secret-32-byte".utf8)
        let day = CivilDate("2022-06-10")!
        let code = TokenSigner(secret: qrSecret).sign(payload: StoreQRCode(store: "s1", day: day).payload())
        let qrVerifier = TokenVerifier(secret: qrSecret)
        #expect(StoreQRCode.visit(Array(code.utf8), verifier: qrVerifier) == .scanned(store: "s1", day: day))
        #expect(StoreQRCode.visit(nil, verifier: qrVerifier) == .none)
        #expect(StoreQRCode.visit(Array(code.utf8), verifier: TokenVerifier(secret: secret)) == .invalid)
        #expect(StoreQRCode.visit(Array(code.utf8), verifier: nil) == .invalid)
        // A resident's token signed with the same key is not a QR code.
        let resident = TokenSigner(secret: qrSecret).sign(payload: Array(#"{"sub":"u1","exp":4102444800}"#.utf8))
        #expect(StoreQRCode.visit(Array(resident.utf8), verifier: qrVerifier) == .invalid)
    }
}

/// The in-place path's own edges: signature lengths, and payloads the full decoder reads.
@Suite struct TokenVerifierInPlaceTests {
    let secret = Array("a-test-secret-of-32-bytes-length".utf8)
    let now = Instant(unixMilliseconds: 1_654_826_400_000)

    func verify(_ token: String) -> Result<PersonToken, TokenError> {
        TokenVerifier(secret: secret).verify(Array(token.utf8), now: now)
    }

    @Test func aSignatureOfAnyOtherLengthIsRefused() {
        let token = TokenSigner(secret: secret).sign(payload: Array(#"{"sub":"u1","exp":1654830000}"#.utf8))
        #expect(verify(token).map(\.person) == .success("u1"))
        #expect(verify(String(token.dropLast())) == .failure(.badSignature))
        #expect(verify(token + "A") == .failure(.badSignature))
        #expect(verify(token + ".x") == .failure(.malformed))
    }

    @Test func aPayloadWithEscapesOrUnicodeIsStillRead() {
        let token = TokenSigner(secret: secret).sign(
            payload: Array(#"{"s\u0075b":"u1","exp":1654830000,"name":"张三","region":"210100"}"#.utf8))
        #expect(verify(token).map(\.person) == .success("u1"))
        #expect(verify(token).map(\.facts.region) == .success("210100"))
    }
}

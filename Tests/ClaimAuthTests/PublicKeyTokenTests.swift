import ClaimCore
import Crypto
import Foundation
import Testing

@testable import ClaimAuth

/// Issue "Identity as a city runs it": tokens signed with the identity provider's private key
/// (ES256, EdDSA) and checked against the public keys of a JWKS, each key pinned to its
/// algorithm and named by its `kid`.
@Suite struct PublicKeyTokenTests {
    /// A private key that is not one says which field and why (one parse per algorithm,
    /// `TokenSigningKey.Prepared`).
    @Test func aBadPrivateKeySaysWhy() {
        func why(_ a: TokenAlgorithm, _ d: [UInt8]) -> String? {
            do {
                _ = try TokenSigningKey(id: "k", algorithm: a, privateMaterial: d)
                return nil
            } catch { return error.description }
        }
        #expect(why(.es256, [UInt8](repeating: 0, count: 32)) == "bad private key: d is not a P-256 private scalar")
        #expect(why(.es256, [UInt8](repeating: 1, count: 31)) == "bad private key: d must be 32 bytes, not 31")
        #expect(why(.rs256, [UInt8](repeating: 7, count: 300))?.contains("not an RSA private key of 2048") == true)
        #expect(why(.hs256, [UInt8](repeating: 1, count: 32)) == "signing keys are ES256, EdDSA or RS256, not HS256")
        #expect(why(.edDSA, [UInt8](repeating: 1, count: 32)) == nil)
    }

    let now = Instant(unixMilliseconds: 1_654_826_400_000)
    var token: PersonToken {
        PersonToken(
            person: "u7",
            facts: EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual),
            expiresAt: now.adding(milliseconds: 600_000))
    }

    func verify(_ t: String, _ keys: [VerificationKey]) -> Result<PersonToken, TokenError> {
        TokenVerifier(keys: TokenKeySet(keys: keys)).verify(Array(t.utf8), now: now)
    }

    @Test(arguments: [TokenAlgorithm.es256, .edDSA, .rs256])
    func aTokenSignedWithThePrivateKeyVerifiesWithThePublicOne(_ algorithm: TokenAlgorithm) throws {
        let key = try TokenSigningKey.generate(algorithm, id: "k-\(algorithm.rawValue)")
        let signed = TokenSigner(privateKey: key).sign(token)
        #expect(verify(signed, [key.publicKey]) == .success(token))
        // Another key of the same kind and id does not take it.
        let stranger = try TokenSigningKey.generate(algorithm, id: key.id)
        #expect(verify(signed, [stranger.publicKey]) == .failure(.badSignature))
        // A changed payload under the same signature fails.
        let parts = signed.split(separator: ".")
        var other = token.payload()
        other[other.firstIndex(of: UInt8(ascii: "7"))!] = UInt8(ascii: "8")
        let forged = "\(parts[0]).\(Base64URL.encode(other)).\(parts[2])"
        #expect(verify(forged, [key.publicKey]) == .failure(.badSignature))
        // A signature of the wrong length is refused before any curve work.
        #expect(verify("\(parts[0]).\(parts[1]).\(parts[2].dropLast())", [key.publicKey]) == .failure(.badSignature))
        #expect(verify("\(parts[0]).\(parts[1]).\(parts[2])AA", [key.publicKey]) == .failure(.badSignature))
    }

    /// The classic attack: a verifier that lets the header choose the algorithm checks an HS256
    /// token with the public key's bytes as the HMAC secret, and anyone can sign those.
    @Test(arguments: [TokenAlgorithm.es256, .edDSA, .rs256])
    func aPublicKeyNeverAcceptsAnHS256TokenSignedWithItsOwnBytes(_ algorithm: TokenAlgorithm) throws {
        let key = try TokenSigningKey.generate(algorithm, id: "pinned")
        let jwk = JWKWriter.key(key.publicKey, privateMaterial: nil)
        for secret in [key.publicKey.material, jwk, JWKWriter.set([key.publicKey])] {
            let forged = TokenSigner(key: .init(id: "pinned", secret: secret)).sign(token)
            #expect(verify(forged, [key.publicKey]) == .failure(.wrongAlgorithm))
        }
        // `none`, and algorithms nobody here uses, are refused by name.
        for alg in ["none", "PS256", "ES512", "HS512"] {
            let header = Base64URL.encode(Array(#"{"alg":"\#(alg)","kid":"pinned"}"#.utf8))
            let t = "\(header).\(Base64URL.encode(token.payload()))."
            #expect(verify(t, [key.publicKey]) == .failure(.unsupportedAlgorithm))
        }
        // An ES256 header on an EdDSA key (or the reverse) is the wrong algorithm too.
        let otherAlgorithm: TokenAlgorithm = algorithm == .es256 ? .rs256 : .es256
        let other = try TokenSigningKey.generate(otherAlgorithm, id: "pinned")
        #expect(verify(TokenSigner(privateKey: other).sign(token), [key.publicKey]) == .failure(.wrongAlgorithm))
    }

    @Test func aTokenMustNameItsKey() throws {
        let key = try TokenSigningKey.generate(.edDSA, id: "k1")
        let header = Base64URL.encode(Array(#"{"alg":"EdDSA","typ":"JWT"}"#.utf8))
        let unnamed = TokenSigner(privateKey: key).sign(headerSegment: header, payload: token.payload())
        #expect(verify(unnamed, [key.publicKey]) == .failure(.missingKeyID))
        let unknown = try TokenSigningKey.generate(.edDSA, id: "k2")
        #expect(verify(TokenSigner(privateKey: unknown).sign(token), [key.publicKey]) == .failure(.unknownKey))
        // Headers in another field order, with extra fields, still find their key.
        let reordered = Base64URL.encode(Array(#"{"kid":"k1","x5t":"zz","alg":"EdDSA"}"#.utf8))
        #expect(
            verify(
                TokenSigner(privateKey: key).sign(headerSegment: reordered, payload: token.payload()), [key.publicKey])
                == .success(token))
    }

    /// A rotation: while both keys are listed both verify; a key taken out of the set is refused
    /// at once by the next verifier (each load builds a new one).
    @Test func aRotationAcceptsBothKeysUntilTheOldOneIsRemoved() throws {
        let old = try TokenSigningKey.generate(.es256, id: "2026-11")
        let new = try TokenSigningKey.generate(.edDSA, id: "2026-12")
        let both = try JWKSDecoder.keySet(JWKWriter.set([old.publicKey, new.publicKey])).get()
        #expect(both.ids == ["2026-11", "2026-12"])
        let oldToken = TokenSigner(privateKey: old).sign(token)
        let newToken = TokenSigner(privateKey: new).sign(token)
        #expect(verify(oldToken, both.keys) == .success(token))
        #expect(verify(newToken, both.keys) == .success(token))
        let after = try JWKSDecoder.keySet(JWKWriter.set([new.publicKey])).get()
        #expect(verify(oldToken, after.keys) == .failure(.unknownKey))
        #expect(verify(newToken, after.keys) == .success(token))
    }

    @Test func privateKeysRoundTripThroughTheirJWK() throws {
        for algorithm in [TokenAlgorithm.es256, .edDSA, .rs256] {
            let key = try TokenSigningKey.generate(algorithm, id: "rt")
            let read = try JWKSDecoder.signingKey(key.privateJWK()).get()
            #expect(read == key)
            #expect(verify(TokenSigner(privateKey: read).sign(token), [key.publicKey]) == .success(token))
        }
        // A d that is not the x's private half is refused.
        let a = try TokenSigningKey.generate(.edDSA, id: "a")
        let b = try TokenSigningKey.generate(.edDSA, id: "a")
        var mixed = try #require(try JSONSerialization.jsonObject(with: Data(a.privateJWK())) as? [String: Any])
        let bObject = try #require(try JSONSerialization.jsonObject(with: Data(b.privateJWK())) as? [String: Any])
        mixed["d"] = bObject["d"]
        let text = try JSONSerialization.data(withJSONObject: mixed)
        #expect(
            JWKSDecoder.signingKey(Array(text)) == .failure(.key(index: 0, "d does not belong to the public key x")))
    }

    /// RSA keys are bounded: 2048 to 4096 bits (a bigger modulus is verification work an
    /// attacker's JWKS could choose), and a JWK's n and e must make a key.
    @Test func rsaKeysAreBoundedAndRead() throws {
        let key = try TokenSigningKey.generate(.rs256, id: "r1")
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(JWKWriter.key(key.publicKey, privateMaterial: nil)))
                as? [String: Any])
        #expect(object["kty"] as? String == "RSA")
        #expect(Base64URL.decode(Array((object["n"] as! String).utf8))?.count == 256)
        func read(_ o: [String: Any]) throws -> Result<TokenKeySet, JWKSDecoder.Problem> {
            JWKSDecoder.keySet(Array(try JSONSerialization.data(withJSONObject: ["keys": [o]])))
        }
        #expect(try read(object) == .success(TokenKeySet(keys: [key.publicKey])))
        object["n"] = Base64URL.encode([UInt8](repeating: 0xff, count: 128))
        #expect(
            try read(object) == .failure(.key(index: 0, "n must be 2048 to 4096 bits (is 1024), e at most 8 bytes")))
        object["n"] = Base64URL.encode([UInt8](repeating: 0xff, count: 1024))
        #expect(
            try read(object) == .failure(.key(index: 0, "n must be 2048 to 4096 bits (is 8192), e at most 8 bytes")))
        object["alg"] = "ES256"
        #expect(try read(object) == .failure(.key(index: 0, "alg ES256 does not match the key's curve (RS256)")))
    }

    /// A JWKS the gateway cannot use is refused whole, naming the key and the reason.
    @Test func aBadJWKSNamesTheKeyAndTheReason() throws {
        let good = try TokenSigningKey.generate(.es256, id: "good")
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(JWKWriter.key(good.publicKey, privateMaterial: nil)))
                as? [String: Any])
        func set(_ second: [String: Any]) throws -> Result<TokenKeySet, JWKSDecoder.Problem> {
            let text = try JSONSerialization.data(withJSONObject: ["keys": [object, second]])
            return JWKSDecoder.keySet(Array(text))
        }
        func problem(_ change: ([String: Any]) -> [String: Any]) throws -> String {
            var second = object
            second["kid"] = "second"
            guard case .failure(let p) = try set(change(second)) else { return "accepted" }
            return p.description
        }
        // The point (x, y) moved off the curve: y's last byte changed.
        let offCurve = try problem { o in
            var o = o
            var y = Base64URL.decode(Array((o["y"] as! String).utf8))!
            y[31] ^= 1
            o["y"] = Base64URL.encode(y)
            return o
        }
        #expect(offCurve == "key 1: the point (x, y) is not on P-256")
        #expect(try problem { $0.filter { $0.key != "kid" } }.hasPrefix("key 1: kid"))
        #expect(try problem { $0.merging(["kid": "good"]) { $1 } } == #"key 1: kid "good" appears twice"#)
        #expect(try problem { $0.merging(["kty": "RSA"]) { $1 } }.contains("kty RSA crv P-256 is not supported"))
        #expect(
            try problem { $0.merging(["alg": "HS256"]) { $1 } }
                == "key 1: alg HS256 does not match the key's curve (ES256)")
        #expect(try problem { $0.merging(["use": "enc"]) { $1 } } == #"key 1: use must be "sig""#)
        #expect(try problem { $0.merging(["x": "AAAA"]) { $1 } } == "key 1: x must be 32 bytes, not 3")
        #expect(try problem { $0.merging(["d": "AAAA"]) { $1 } }.contains("private part (d)"))
        object["kid"] = "first"
        #expect(JWKSDecoder.keySet(Array("[]".utf8)) == .failure(.notJSON))
        #expect(JWKSDecoder.keySet(Array(#"{"keys":[]}"#.utf8)) == .failure(.noKeys))
        #expect(JWKSDecoder.keySet(Array(#"{"keys":["x"]}"#.utf8)) == .failure(.key(index: 0, "not a JSON object")))
        let many = String(repeating: "{},", count: 16) + "{}"
        #expect(JWKSDecoder.keySet(Array(#"{"keys":[\#(many)]}"#.utf8)) == .failure(.tooManyKeys(17)))
        #expect(JWKSDecoder.keySet([UInt8](repeating: 32, count: 70_000)) == .failure(.tooLarge(70_000)))
    }
}

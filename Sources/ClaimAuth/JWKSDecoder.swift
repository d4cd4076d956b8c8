import ClaimCore
import Crypto
import Foundation
import _CryptoExtras

/// Reads the identity provider's public keys from a JWKS (RFC 7517) and private keys from a JWK:
/// bytes in, keys or a problem that names the key's index and what is wrong with it out.
///
/// Only what tokens here use is accepted: EC keys on P-256 (ES256), OKP keys on Ed25519 (EdDSA)
/// and RSA keys of 2048 to 4096 bits (RS256), each with a `kid`; `alg`, when given, must be the
/// key type's own, and pins the key to it. A public set holding a private part (`d`) is
/// refused: it would publish the signing key.
public enum JWKSDecoder {
    /// Bounds on untrusted input: a JWKS is a few keys of a few hundred bytes.
    public static let maxBytes = 65_536
    public static let maxKeys = 16
    /// RSA moduli up to this: verification cost grows with the square of the size.
    public static let maxRSABits = 4096

    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case tooLarge(Int)
        case notJSON
        case noKeys
        case tooManyKeys(Int)
        /// The key at `index` (from 0) of the set, and why.
        case key(index: Int, String)

        public var description: String {
            switch self {
            case .tooLarge(let n): "the JWKS is \(n) bytes; at most \(JWKSDecoder.maxBytes)"
            case .notJSON: "not a JSON object"
            case .noKeys: #"no keys: expected {"keys": [JWK, ...]} with at least one key"#
            case .tooManyKeys(let n): "\(n) keys; at most \(JWKSDecoder.maxKeys)"
            case .key(let i, let why): "key \(i): \(why)"
            }
        }
    }

    /// The public keys of a JWKS document.
    public static func keySet(_ bytes: [UInt8]) -> Result<TokenKeySet, Problem> {
        let list: [Any]
        switch keyList(bytes) {
        case .failure(let p): return .failure(p)
        case .success(let l): list = l
        }
        var keys: [VerificationKey] = []
        for (i, element) in list.enumerated() {
            guard let object = element as? [String: Any] else { return .failure(.key(index: i, "not a JSON object")) }
            if object["d"] != nil {
                return .failure(.key(index: i, "has a private part (d): a JWKS publishes public keys only"))
            }
            switch publicKey(object) {
            case .failure(let why): return .failure(.key(index: i, why.text))
            case .success(let k):
                if keys.contains(where: { $0.id == k.id }) {
                    return .failure(.key(index: i, "kid \"\(k.id ?? "")\" appears twice"))
                }
                keys.append(k)
            }
        }
        return .success(TokenKeySet(keys: keys))
    }

    /// A private key: one JWK with `d` (as `claimctl keys generate` writes it).
    public static func signingKey(_ bytes: [UInt8]) -> Result<TokenSigningKey, Problem> {
        guard bytes.count <= maxBytes else { return .failure(.tooLarge(bytes.count)) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            return .failure(.notJSON)
        }
        let key: VerificationKey
        switch publicKey(object) {
        case .failure(let why): return .failure(.key(index: 0, why.text))
        case .success(let k): key = k
        }
        func part(_ name: String) -> [UInt8]? {
            (object[name] as? String).flatMap { Base64URL.decode(Array($0.utf8)) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let d = part("d") else {
            return .failure(.key(index: 0, "d (the private part) is missing or not base64url"))
        }
        var privateMaterial = d
        if key.algorithm == .rs256 {
            // swift-crypto takes an RSA private key from its n, e, d, p and q.
            guard let p = part("p"), let q = part("q"), let n = part("n"), let e = part("e"),
                let k = try? _RSA.Signing.PrivateKey(n: n, e: e, d: d, p: p, q: q)
            else { return .failure(.key(index: 0, "an RSA private key needs n, e, d, p and q that belong together")) }
            privateMaterial = Array(k.derRepresentation)
        }
        let signing: TokenSigningKey
        do {
            signing = try TokenSigningKey(id: key.id ?? "", algorithm: key.algorithm, privateMaterial: privateMaterial)
        } catch { return .failure(.key(index: 0, error.description)) }
        guard signing.publicKey == key else {
            return .failure(
                .key(index: 0, "d does not belong to the public key x\(key.algorithm == .es256 ? ", y" : "")"))
        }
        return .success(signing)
    }

    private static func keyList(_ bytes: [UInt8]) -> Result<[Any], Problem> {
        guard bytes.count <= maxBytes else { return .failure(.tooLarge(bytes.count)) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            return .failure(.notJSON)
        }
        guard let list = object["keys"] as? [Any], !list.isEmpty else { return .failure(.noKeys) }
        guard list.count <= maxKeys else { return .failure(.tooManyKeys(list.count)) }
        return .success(list)
    }

    /// What is wrong with one key, in words for the operator.
    struct Why: Error { let text: String }

    /// The public key a JWK object describes.
    static func publicKey(_ o: [String: Any]) -> Result<VerificationKey, Why> {
        func text(_ name: String) -> String? { o[name] as? String }
        guard let kid = text("kid") else { return .failure(Why(text: "kid is missing (every key needs one)")) }
        guard Identifier.isValid(kid) else {
            return .failure(Why(text: "kid \"\(kid)\" must be 1-64 characters of [A-Za-z0-9_.-]"))
        }
        if let use = o["use"], use as? String != "sig" { return .failure(Why(text: "use must be \"sig\"")) }
        let algorithm: TokenAlgorithm
        switch (text("kty"), text("crv")) {
        case ("EC", "P-256"): algorithm = .es256
        case ("OKP", "Ed25519"): algorithm = .edDSA
        case ("RSA", nil): algorithm = .rs256
        case (let kty?, let crv):
            return .failure(
                Why(
                    text:
                        "kty \(kty) crv \(crv ?? "(none)") is not supported: EC P-256 (ES256), OKP Ed25519 (EdDSA) or RSA (RS256)"
                ))
        case (nil, _): return .failure(Why(text: "kty is missing"))
        }
        if let alg = o["alg"], alg as? String != algorithm.rawValue {
            return .failure(Why(text: "alg \(alg) does not match the key's curve (\(algorithm.rawValue))"))
        }
        func coordinate(_ name: String) -> Result<[UInt8], Why> {
            guard let t = text(name), let bytes = Base64URL.decode(Array(t.utf8)) else {
                return .failure(Why(text: "\(name) is missing or not base64url"))
            }
            guard bytes.count == 32 else { return .failure(Why(text: "\(name) must be 32 bytes, not \(bytes.count)")) }
            return .success(bytes)
        }
        let material: [UInt8]
        switch algorithm {
        case .rs256:
            guard let n = text("n").flatMap({ Base64URL.decode(Array($0.utf8)) }),
                let e = text("e").flatMap({ Base64URL.decode(Array($0.utf8)) })
            else { return .failure(Why(text: "n or e is missing or not base64url")) }
            let bits = (n.drop { $0 == 0 }.count) * 8
            guard (2048...maxRSABits).contains(bits), (1...8).contains(e.count) else {
                return .failure(Why(text: "n must be 2048 to \(maxRSABits) bits (is \(bits)), e at most 8 bytes"))
            }
            guard let k = try? _RSA.Signing.PublicKey(n: n, e: e) else {
                return .failure(Why(text: "n and e are not an RSA public key"))
            }
            material = Array(k.pkcs1DERRepresentation)
        case .es256:
            switch (coordinate("x"), coordinate("y")) {
            case (.failure(let why), _), (_, .failure(let why)): return .failure(why)
            case (.success(let x), .success(let y)): material = x + y
            }
            guard (try? P256.Signing.PublicKey(rawRepresentation: material)) != nil else {
                return .failure(Why(text: "the point (x, y) is not on P-256"))
            }
        default:
            switch coordinate("x") {
            case .failure(let why): return .failure(why)
            case .success(let x): material = x
            }
            guard (try? Curve25519.Signing.PublicKey(rawRepresentation: material)) != nil else {
                return .failure(Why(text: "x is not an Ed25519 public key"))
            }
        }
        return .success(VerificationKey(id: kid, algorithm: algorithm, material: material))
    }
}

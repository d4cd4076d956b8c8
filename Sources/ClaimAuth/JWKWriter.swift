import ClaimCore
import _CryptoExtras

/// Writes public keys as a JWKS (RFC 7517) and one key as a JWK: the same fields `JWKSDecoder`
/// reads, so what `claimctl keys generate` writes is what the gateway loads.
public enum JWKWriter {
    /// `{"keys":[...]}` of the public keys (HS256 keys have no public form and are skipped).
    public static func set(_ keys: [VerificationKey]) -> [UInt8] {
        var out = Array(#"{"keys":["#.utf8)
        var first = true
        for k in keys where k.algorithm != .hs256 {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += key(k, privateMaterial: nil)
        }
        out += Array("]}\n".utf8)
        return out
    }

    /// One key's JWK; with `privateMaterial`, the private JWK (its `d`, and an RSA key's primes).
    static func key(_ k: VerificationKey, privateMaterial: [UInt8]?) -> [UInt8] {
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        switch k.algorithm {
        case .es256:
            w.field("kty", "EC")
            w.field("crv", "P-256")
        case .rs256:
            w.field("kty", "RSA")
        default:
            w.field("kty", "OKP")
            w.field("crv", "Ed25519")
        }
        if let id = k.id { w.field("kid", id) }
        w.field("alg", k.algorithm.rawValue)
        w.field("use", "sig")
        switch k.algorithm {
        case .es256:
            w.field("x", Base64URL.encode(k.material.prefix(32)))
            w.field("y", Base64URL.encode(k.material.suffix(from: 32)))
        case .rs256:
            if let p = try? _RSA.Signing.PublicKey(derRepresentation: k.material).getKeyPrimitives() {
                w.field("n", Base64URL.encode(Array(p.modulus)))
                w.field("e", Base64URL.encode(Array(p.publicExponent)))
            }
        default:
            w.field("x", Base64URL.encode(k.material))
        }
        if let d = privateMaterial {
            if k.algorithm == .rs256 {
                // PKCS#1: version, n, e, d, p, q, dp, dq, qi.
                if let i = DERIntegers.read(d), i.count == 9 {
                    for (name, value) in zip(["d", "p", "q", "dp", "dq", "qi"], i[3...]) {
                        w.field(name, Base64URL.encode(value))
                    }
                }
            } else {
                w.field("d", Base64URL.encode(d))
            }
        }
        w.endObject()
        return w.bytes
    }
}

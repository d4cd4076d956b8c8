import ClaimCore
import Crypto
import _CryptoExtras

/// A private key tokens are signed with (ES256, EdDSA or RS256) and its `kid`: what the
/// identity provider holds, and what `claimctl keys generate` writes for demos, load tests and
/// tests. Kept as bytes so it is `Sendable` (the private scalar for P-256, the seed for
/// Ed25519, PKCS#1 DER for RSA); the swift-crypto key is made when signing.
public struct TokenSigningKey: Hashable, Sendable {
    public let id: String
    public let algorithm: TokenAlgorithm
    let privateMaterial: [UInt8]

    /// Why a private key cannot be used: names the field.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case unsupportedAlgorithm(String)
        case badKeyID(String)
        case badPrivateKey(String)

        public var description: String {
            switch self {
            case .unsupportedAlgorithm(let a): "signing keys are ES256, EdDSA or RS256, not \(a)"
            case .badKeyID(let k): "key id \"\(k)\" must be 1-64 characters of [A-Za-z0-9_.-]"
            case .badPrivateKey(let why): "bad private key: \(why)"
            }
        }
    }

    /// The key with private bytes `d` (a P-256 scalar or an Ed25519 seed, 32 bytes; an RSA key's
    /// PKCS#1 DER), checked.
    public init(id: String, algorithm: TokenAlgorithm, privateMaterial d: [UInt8]) throws(Problem) {
        guard Identifier.isValid(id) else { throw .badKeyID(id) }
        guard algorithm != .hs256 else { throw .unsupportedAlgorithm(algorithm.rawValue) }
        guard algorithm == .rs256 || d.count == 32 else { throw .badPrivateKey("d must be 32 bytes, not \(d.count)") }
        switch Prepared(algorithm: algorithm, material: d) {
        case .p256, .ed25519: break
        case .rsa(let k) where (2048...JWKSDecoder.maxRSABits).contains(k.keySizeInBits): break
        default:
            let why: String =
                switch algorithm {
                case .es256: "d is not a P-256 private scalar"
                case .edDSA: "d is not an Ed25519 seed"
                default: "not an RSA private key of 2048 to \(JWKSDecoder.maxRSABits) bits"
                }
            throw .badPrivateKey(why)
        }
        self.id = id
        self.algorithm = algorithm
        privateMaterial = d
    }

    /// A new random key (the system's CSPRNG, through swift-crypto).
    public static func generate(_ algorithm: TokenAlgorithm, id: String) throws(Problem) -> TokenSigningKey {
        switch algorithm {
        case .es256:
            return try TokenSigningKey(
                id: id, algorithm: .es256, privateMaterial: Array(P256.Signing.PrivateKey().rawRepresentation))
        case .edDSA:
            return try TokenSigningKey(
                id: id, algorithm: .edDSA, privateMaterial: Array(Curve25519.Signing.PrivateKey().rawRepresentation))
        case .rs256:
            guard let k = try? _RSA.Signing.PrivateKey(keySize: .bits2048) else {
                throw .badPrivateKey("no RSA key could be generated")
            }
            return try TokenSigningKey(id: id, algorithm: .rs256, privateMaterial: Array(k.derRepresentation))
        case .hs256: throw .unsupportedAlgorithm(algorithm.rawValue)
        }
    }

    /// The public half, as verifiers take it. The private bytes were checked in init, so the
    /// swift-crypto key is there.
    public var publicKey: VerificationKey {
        VerificationKey(id: id, algorithm: algorithm, material: prepared().publicMaterial)
    }

    /// The swift-crypto key, made once per signer: an RSA key's DER is parsed, and its
    /// precomputation done, once and not per token.
    enum Prepared {
        case p256(P256.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
        /// Never for a key that passed init's checks.
        case unusable

        /// The swift-crypto key for `material` (the one place private bytes are parsed), nil if
        /// it is not one of `algorithm`'s.
        init?(algorithm: TokenAlgorithm, material: [UInt8]) {
            switch algorithm {
            case .es256:
                guard let k = try? P256.Signing.PrivateKey(rawRepresentation: material) else { return nil }
                self = .p256(k)
            case .rs256:
                guard let k = try? _RSA.Signing.PrivateKey(derRepresentation: material) else { return nil }
                self = .rsa(k)
            case .edDSA:
                guard let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: material) else { return nil }
                self = .ed25519(k)
            case .hs256: return nil
            }
        }

        /// The public key's bytes: x||y for P-256, PKCS#1 DER for RSA, 32 bytes for Ed25519.
        var publicMaterial: [UInt8] {
            switch self {
            case .p256(let k): Array(k.publicKey.rawRepresentation)
            case .rsa(let k): Array(k.publicKey.pkcs1DERRepresentation)
            case .ed25519(let k): Array(k.publicKey.rawRepresentation)
            case .unusable: []
            }
        }

        /// The signature of `message` (64 bytes r||s for ES256, as JWS wants; the modulus's
        /// size for RS256).
        func signature(_ message: [UInt8]) -> [UInt8] {
            switch self {
            case .p256(let k): (try? k.signature(for: message)).map { Array($0.rawRepresentation) } ?? []
            case .ed25519(let k): (try? k.signature(for: message)).map { Array($0) } ?? []
            case .rsa(let k):
                (try? k.signature(for: message, padding: .insecurePKCS1v1_5)).map { Array($0.rawRepresentation) } ?? []
            case .unusable: []
            }
        }
    }

    func prepared() -> Prepared { Prepared(algorithm: algorithm, material: privateMaterial) ?? .unusable }

    /// The private JWK (RFC 7517, with `d`; for RSA also `p`, `q`, `dp`, `dq`, `qi`, RFC 7518
    /// 6.3.2): the file `claimctl keys generate` writes.
    public func privateJWK() -> [UInt8] { JWKWriter.key(publicKey, privateMaterial: privateMaterial) }
}

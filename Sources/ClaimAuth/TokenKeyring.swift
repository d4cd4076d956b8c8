import ClaimCore

/// HS256 keys for demos and tests (`--dev-hs256`), several at once so keys can be rotated
/// without a flag day. A real identity provider signs with a private key and publishes a JWKS
/// (`JWKSDecoder`): with a shared secret every verifier could mint tokens. tokens name their key in the header's `kid`; tokens signed before rotation (no
/// `kid`) are checked against `unkeyed`, if one is named.
///
/// Rotation: add the new key, restart gateways, switch the provider's `signing` to it, and
/// drop the old key once the longest token lifetime has passed.
public struct TokenKeyring: Hashable, Sendable {
    /// One HS256 key and the `kid` that names it (nil: the key of tokens without a `kid`).
    public struct Key: Hashable, Sendable {
        public let id: String?
        public let secret: [UInt8]

        public init(id: String?, secret: [UInt8]) {
            self.id = id
            self.secret = secret
        }
    }

    /// Why a keyring is refused: every case names what to fix.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case empty
        case tooManyKeys
        case badKeyID(String)
        case duplicateKeyID(String)
        case shortSecret(String)
        case unknownSigningKey(String)

        public var description: String {
            switch self {
            case .empty: "the keyring has no keys"
            case .tooManyKeys: "the keyring has more than \(TokenKeyring.maxKeys) keys"
            case .badKeyID(let k): "key id \"\(k)\" must be 1-64 characters of [A-Za-z0-9_.-]"
            case .duplicateKeyID(let k): "key id \"\(k)\" appears twice"
            case .shortSecret(let k): "the secret of key \"\(k)\" must be at least 16 bytes"
            case .unknownSigningKey(let k): "key \"\(k)\" is named but not in the keyring"
            }
        }
    }

    /// Bounded so a header's `kid` lookup stays a short scan.
    public static let maxKeys = 8
    public static let minSecretBytes = 16

    /// Every key a token may be signed with.
    public let keys: [Key]
    /// The key new tokens are signed with (demo, tests, `claimload`, `claimctl token`).
    public let signing: Key

    /// One key, no `kid`: the single-secret setup.
    public init(secret: [UInt8]) {
        let key = Key(id: nil, secret: secret)
        keys = [key]
        signing = key
    }

    /// Keys by id; `signingKeyID` signs new tokens; `unkeyedKeyID`, if given, also verifies
    /// tokens that carry no `kid` (those signed before the first rotation).
    public init(keys named: [(id: String, secret: [UInt8])], signingKeyID: String, unkeyedKeyID: String? = nil)
        throws(Problem)
    {
        guard !named.isEmpty else { throw .empty }
        guard named.count <= Self.maxKeys else { throw .tooManyKeys }
        var keys: [Key] = []
        for (id, secret) in named {
            guard Identifier.isValid(id) else { throw .badKeyID(id) }
            guard !keys.contains(where: { $0.id == id }) else { throw .duplicateKeyID(id) }
            guard secret.count >= Self.minSecretBytes else { throw .shortSecret(id) }
            keys.append(Key(id: id, secret: secret))
        }
        guard let signing = keys.first(where: { $0.id == signingKeyID }) else { throw .unknownSigningKey(signingKeyID) }
        if let unkeyedKeyID {
            guard let old = keys.first(where: { $0.id == unkeyedKeyID }) else { throw .unknownSigningKey(unkeyedKeyID) }
            keys.append(Key(id: nil, secret: old.secret))
        }
        self.keys = keys
        self.signing = signing
    }

    /// The keys as a verifier takes them.
    public var verificationKeys: TokenKeySet {
        TokenKeySet(keys: keys.map { VerificationKey(id: $0.id, algorithm: .hs256, material: $0.secret) })
    }
}

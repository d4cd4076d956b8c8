import Crypto

/// The SHA-256 of a whole token: what `VerifiedTokenCache` keys and compares on (all 32 bytes,
/// so only the very token verified matches, short of a SHA-256 collision), and what a token on
/// its way to be verified elsewhere is known by.
public struct TokenDigest: Hashable, Sendable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    public init(of token: UnsafeRawBufferPointer) {
        words = SHA256.hash(data: token).withUnsafeBytes { b in
            (
                b.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                b.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                b.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                b.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }

    public static func == (a: Self, b: Self) -> Bool { a.words == b.words }

    public func hash(into hasher: inout Hasher) { hasher.combine(words.0) }
}

/// FNV-1a, 64-bit: a fast hash of short byte strings (pool ids, person ids) that every gateway
/// computes alike. Not collision-resistant: callers that face chosen inputs mix in a seed.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash of `bytes`, starting from `basis` (a seeded caller XORs its seed into it).
    @inlinable
    public static func hash<Bytes: Sequence>(_ bytes: Bytes, basis: UInt64 = offsetBasis) -> UInt64
    where Bytes.Element == UInt8 {
        var h = basis
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

import ClaimCore

/// The stored form of a voucher: `owner|face|threshold|window|claimed_ms|expires_ms`, written
/// by `claim.lua`. Pipe-separated because every field is an identifier or a number.
public enum VoucherRecord {
    public static func decode(id: String, pool: String, record: String) -> Voucher? {
        let f = record.split(separator: "|", omittingEmptySubsequences: false)
        guard f.count >= 6, let face = Int(f[1]), let threshold = Int(f[2]), let claimed = Int64(f[4]),
            let expires = Int64(f[5])
        else { return nil }
        return Voucher(
            id: id, pool: pool, window: String(f[3]), owner: String(f[0]), faceFen: face, thresholdFen: threshold,
            claimedAt: Instant(unixMilliseconds: claimed), expiresAt: Instant(unixMilliseconds: expires))
    }
}

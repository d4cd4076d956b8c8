import ClaimCore

/// The stored forms written by the scripts. Pipe-separated because every field is an
/// identifier or a number.
/// - voucher: `owner|face|threshold|window|claimed_ms|expires_ms|store` (`claim.lua`; records
///   written before the store field existed have six fields);
/// - redemption: `merchant|order|amount|at_ms` (`redeem.lua`).
public enum VoucherRecord {
    public static func decode(id: String, pool: String, record: String, redemption: String = "") -> Voucher? {
        let f = record.split(separator: "|", omittingEmptySubsequences: false)
        guard f.count >= 6, let face = Int(f[1]), let threshold = Int(f[2]), let claimed = Int64(f[4]),
            let expires = Int64(f[5])
        else { return nil }
        let store = f.count > 6 && !f[6].isEmpty ? String(f[6]) : nil
        return Voucher(
            id: id, pool: pool, window: String(f[3]), owner: String(f[0]), faceFen: face, thresholdFen: threshold,
            claimedAt: Instant(unixMilliseconds: claimed), expiresAt: Instant(unixMilliseconds: expires), store: store,
            redemption: decodeRedemption(redemption))
    }

    static func decodeRedemption(_ text: String) -> VoucherRedemption? {
        let f = text.split(separator: "|", omittingEmptySubsequences: false)
        guard f.count == 4, let amount = Int(f[2]), let at = Int64(f[3]) else { return nil }
        return VoucherRedemption(
            merchant: String(f[0]), order: String(f[1]), amountFen: amount, at: Instant(unixMilliseconds: at))
    }
}

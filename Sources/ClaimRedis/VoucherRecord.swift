import ClaimCore

/// The stored forms written by the scripts. Pipe-separated because every field is an
/// identifier or a number.
/// - voucher: `owner|face|threshold|window|claimed_ms|expires_ms|store` (`claim.lua`; records
///   written before the store field existed have six fields);
/// - redemption: `merchant|order|amount|at_ms` (`redeem.lua`).
public enum VoucherRecord {
    /// The record `claim.lua` writes for the first (or only) voucher `r` is granted, from the
    /// claim's own ARGV: what a batch's fresh grant leaves out of its reply.
    public static func encode(_ r: ClaimRequest) -> String {
        let face = r.pool.bundleFen.first ?? r.pool.faceFen
        return "\(r.person)|\(face)|\(r.pool.thresholdFen)|\(r.window.id)|\(r.claimedAt.unixMilliseconds)|"
            + "\(r.expiresAt.unixMilliseconds)|\(r.store ?? "")"
    }

    public static func decode(id: String, pool: String, record: String, redemption: String = "") -> Voucher? {
        // Field boundaries by one pass over the bytes; only owner, window and store become
        // Strings (every voucher of every grant and wallet goes through here).
        var record = record
        return record.withUTF8 { b -> Voucher? in
            var cuts: [Int] = [-1]
            cuts.reserveCapacity(8)
            for i in 0..<b.count where b[i] == UInt8(ascii: "|") { cuts.append(i) }
            cuts.append(b.count)
            guard cuts.count >= 7 else { return nil }
            func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: b[(cuts[k] + 1)..<cuts[k + 1]])
            }
            func number(_ k: Int) -> Int64? {
                let f = field(k)
                guard !f.isEmpty, f.count <= 18 else { return nil }
                var v: Int64 = 0
                for c in f {
                    guard c >= 48, c <= 57 else { return nil }
                    v = v * 10 + Int64(c - 48)
                }
                return v
            }
            guard let face = number(1), let threshold = number(2), let claimed = number(4), let expires = number(5)
            else { return nil }
            let store = cuts.count > 7 && !field(6).isEmpty ? String(decoding: field(6), as: UTF8.self) : nil
            return Voucher(
                id: id, pool: pool, window: String(decoding: field(3), as: UTF8.self),
                owner: String(decoding: field(0), as: UTF8.self), faceFen: Int(face), thresholdFen: Int(threshold),
                claimedAt: Instant(unixMilliseconds: claimed), expiresAt: Instant(unixMilliseconds: expires),
                store: store,
                redemption: redemption.isEmpty ? nil : decodeRedemption(redemption))
        }
    }

    static func decodeRedemption(_ text: String) -> VoucherRedemption? {
        let f = text.split(separator: "|", omittingEmptySubsequences: false)
        guard f.count == 4, let amount = Int(f[2]), let at = Int64(f[3]) else { return nil }
        return VoucherRedemption(
            merchant: String(f[0]), order: String(f[1]), amountFen: amount, at: Instant(unixMilliseconds: at))
    }
}

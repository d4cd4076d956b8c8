import ClaimAuth
import ClaimCore
import ClaimHTTP

/// Merchants redeeming a share of the vouchers a claim run received: each once, some retried
/// with the same order (must answer the same), some tried again under a new order (must be
/// refused as used).
final class RedemptionWorkload: LoadWorkload {
    enum Kind { case first, retry, second }

    struct Planned {
        let voucher: String
        let pool: String
        let order: String
        let kind: Kind
        let bytes: [UInt8]
    }

    private var planned: [Planned] = []
    private var next = 0
    private(set) var redeemed: [String: String] = [:]
    private(set) var problems: [String] = []
    private(set) var counts: [String: Int] = [:]

    /// Plans redemptions of `share` of `grants` (voucher -> person, by pool).
    init(
        grants: [String: GrantLedger], programme: Programme, share: Double, secret: TokenKeyring,
        paymentCode: (String) -> String?, seed: UInt64, host: String
    ) {
        var rng = SplitMix64(seed: seed)
        let signer = TokenSigner(keyring: secret)
        var firsts: [Planned] = []
        var extras: [Planned] = []
        var n = 0
        for (poolID, ledger) in grants.sorted(by: { $0.key < $1.key }) {
            guard let pool = programme.pool(id: poolID), let category = pool.merchantCategories.first else { continue }
            let merchant = "m-\(poolID)"
            let token = signer.sign(
                payload: MerchantToken(
                    merchant: merchant, categories: [category], expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)
                ).payload())
            for (voucher, person) in ledger.voucherOwners.sorted(by: { $0.key < $1.key }) where rng.unit() < share {
                guard let code = paymentCode(person) else { continue }
                n += 1
                let amount = max(pool.thresholdFen, pool.faceFen) + 100
                func request(_ order: String, _ kind: Kind) -> Planned {
                    let body = Array(
                        #"{"voucher":"\#(voucher)","order":"\#(order)","amount_fen":\#(amount),"payment_code":"\#(code)"}"#
                            .utf8)
                    let head =
                        "POST /v1/redemptions HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(token)\r\n"
                        + "Content-Length: \(body.count)\r\n\r\n"
                    return Planned(
                        voucher: voucher, pool: poolID, order: order, kind: kind, bytes: Array(head.utf8) + body)
                }
                firsts.append(request("o\(n)", .first))
                let roll = rng.unit()
                if roll < 0.1 {
                    extras.append(request("o\(n)", .retry))
                } else if roll < 0.2 {
                    extras.append(request("o\(n)b", .second))
                }
            }
        }
        // Every first redemption goes out before any retry or second attempt, so each extra
        // finds its voucher already used.
        planned = firsts + extras
        firstCount = firsts.count
    }

    private let firstCount: Int
    private var answeredFirsts = 0
    var total: Int { planned.count }
    var isFinished: Bool { next == planned.count }

    func nextRequest(host: String) -> (tag: Int, bytes: [UInt8])? {
        guard next < planned.count else { return nil }
        // Hold extras back until the firsts are in.
        if next >= firstCount, answeredFirsts < firstCount { return nil }
        next += 1
        return (next - 1, planned[next - 1].bytes)
    }

    func record(tag: Int, response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64) {
        let p = planned[tag]
        let text = String(decoding: response.body, as: UTF8.self)
        let replayed = text.contains("\"replayed\":true")
        switch p.kind {
        case .first:
            answeredFirsts += 1
            if response.status == 200, !replayed {
                if redeemed[p.voucher] != nil { problems.append("\(p.voucher) redeemed twice") }
                redeemed[p.voucher] = p.order
                counts["redeemed", default: 0] += 1
            } else {
                counts["first_refused", default: 0] += 1
                problems.append("first redemption of \(p.voucher) refused: \(text)")
            }
        case .retry:
            if response.status == 200, replayed {
                counts["retry_replayed", default: 0] += 1
            } else {
                problems.append("retried order \(p.order) got \(response.status) \(text)")
            }
        case .second:
            if response.status == 409, LoadResults.strings(named: "error", in: response.body).first == "already_used" {
                counts["second_refused", default: 0] += 1
            } else {
                problems.append("second order on \(p.voucher) got \(response.status): a voucher used twice?")
            }
        }
    }
}

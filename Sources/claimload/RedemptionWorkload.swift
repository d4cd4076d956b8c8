import ClaimAuth
import ClaimCore
import ClaimHTTP

/// Merchants redeeming a share of the vouchers a claim run received, as tills do: the resident's
/// app first asks for a single-use payment code (half of them bound to the merchant), the till
/// redeems with it once; some orders are retried with the same code (must answer the same),
/// some tried again under a new order (the code must be refused as used).
final class RedemptionWorkload: LoadWorkload {
    enum Kind { case first, retry, second }

    struct Planned {
        let voucher: String
        let pool: String
        let order: String
        let kind: Kind
        /// The index of the first redemption (and of its code) this one goes with.
        let first: Int
        let amount: Int
        let merchantToken: String
    }

    /// A code request per first redemption, in the order of `planned`'s firsts.
    private struct CodeAsk {
        let bytes: [UInt8]
    }

    private var asks: [CodeAsk] = []
    private var codes: [String?]
    private var planned: [Planned] = []
    private var nextAsk = 0
    private var answeredAsks = 0
    private var next = 0
    private(set) var redeemed: [String: String] = [:]
    private(set) var problems: [String] = []
    private(set) var counts: [String: Int] = [:]

    /// Plans redemptions of `share` of `grants` (voucher -> person, by pool); `residentToken`
    /// gives the bearer token of a person who claimed (their app's own).
    init(
        grants: [String: GrantLedger], programme: Programme, share: Double, secret: TokenSigning,
        residentToken: (String) -> String?, seed: UInt64, host: String
    ) {
        var rng = SplitMix64(seed: seed)
        let signer = secret.signer()
        var firsts: [Planned] = []
        var extras: [Planned] = []
        var asks: [CodeAsk] = []
        for (poolID, ledger) in grants.sorted(by: { $0.key < $1.key }) {
            guard let pool = programme.pool(id: poolID), let category = pool.merchantCategories.first else { continue }
            let merchant = "m-\(poolID)"
            let token = signer.sign(
                payload: MerchantToken(
                    merchant: merchant, categories: [category], expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)
                ).payload())
            for (voucher, person) in ledger.voucherOwners.sorted(by: { $0.key < $1.key }) where rng.unit() < share {
                guard let resident = residentToken(person) else { continue }
                let n = firsts.count
                let bound = rng.unit() < 0.5 ? #","merchant":"\#(merchant)""# : ""
                let body = Array(#"{"voucher":"\#(voucher)"\#(bound)}"#.utf8)
                let head =
                    "POST /v1/me/payment-codes HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(resident)\r\n"
                    + "Content-Length: \(body.count)\r\n\r\n"
                asks.append(CodeAsk(bytes: Array(head.utf8) + body))
                let amount = max(pool.thresholdFen, pool.faceFen) + 100
                func plan(_ order: String, _ kind: Kind) -> Planned {
                    Planned(
                        voucher: voucher, pool: poolID, order: order, kind: kind, first: n, amount: amount,
                        merchantToken: token)
                }
                firsts.append(plan("o\(n + 1)", .first))
                let roll = rng.unit()
                if roll < 0.1 {
                    extras.append(plan("o\(n + 1)", .retry))
                } else if roll < 0.2 {
                    extras.append(plan("o\(n + 1)b", .second))
                }
            }
        }
        // Every code is asked for first, then every first redemption goes out before any retry
        // or second attempt, so each extra finds its code already used.
        self.asks = asks
        codes = Array(repeating: nil, count: asks.count)
        planned = firsts + extras
        firstCount = firsts.count
    }

    private let firstCount: Int
    private var answeredFirsts = 0
    /// Code requests and redemptions.
    var total: Int { asks.count + planned.count }
    var isFinished: Bool { nextAsk == asks.count && next == planned.count }

    /// Tags below `asks.count` are code requests; the rest redemptions (`tag - asks.count`).
    func nextRequest(host: String, connection: Int) -> (tag: Int, bytes: [UInt8])? {
        if nextAsk < asks.count {
            nextAsk += 1
            return (nextAsk - 1, asks[nextAsk - 1].bytes)
        }
        // Redemptions once every code is in; extras once the firsts are.
        guard answeredAsks == asks.count else { return nil }
        while next < planned.count {
            if next >= firstCount, answeredFirsts < firstCount { return nil }
            let p = planned[next]
            next += 1
            // A code that was refused was counted as a problem then; its redemptions are skipped.
            guard let code = codes[p.first] else {
                if p.kind == .first { answeredFirsts += 1 }
                continue
            }
            let body = Array(
                #"{"voucher":"\#(p.voucher)","order":"\#(p.order)","amount_fen":\#(p.amount),"payment_code":"\#(code)"}"#
                    .utf8)
            let head =
                "POST /v1/redemptions HTTP/1.1\r\nHost: \(host)\r\nAuthorization: Bearer \(p.merchantToken)\r\n"
                + "Content-Length: \(body.count)\r\n\r\n"
            return (asks.count + next - 1, Array(head.utf8) + body)
        }
        return nil
    }

    func record(tag: Int, response: HTTPResponse, sentAt: UInt64, answeredAt: UInt64) {
        guard tag >= asks.count else {
            answeredAsks += 1
            if response.status == 201, let code = LoadResults.strings(named: "payment_code", in: response.body).first {
                codes[tag] = code
                counts["codes", default: 0] += 1
            } else {
                let text = String(decoding: response.body, as: UTF8.self)
                problems.append("payment code for \(planned[tag].voucher) refused: \(response.status) \(text)")
            }
            return
        }
        let p = planned[tag - asks.count]
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
            let error = LoadResults.strings(named: "error", in: response.body).first
            if response.status == 409, error == "payment_code_used" {
                counts["second_refused", default: 0] += 1
            } else {
                problems.append("second order on \(p.voucher) got \(response.status) \(text): a code used twice?")
            }
        }
    }
}

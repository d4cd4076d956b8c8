import ClaimCore
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimRedis

/// Redemption and reversal against a real Redis.
@Suite struct RedemptionScriptTests {
    let client: RedisClient
    let pool = TestProgramme.dailyPool(stock: 10, autoOpen: true, useLimit: 1)
    let cal = TestProgramme.calendar
    func at(_ s: String) -> Instant { cal.parseISO8601(s)! }

    init() throws { client = try TestRedis.get().client() }

    /// Claims a voucher for `person` at `when`.
    func voucher(_ person: String, _ when: String = "2022-06-10T10:00:01") throws -> Voucher {
        guard
            case .run(let r) = ClaimPlanner(programme: TestProgramme.programme([pool])).plan(
                pool: pool, person: person, facts: TestProgramme.resident, idempotencyKey: nil, now: at(when)),
            case .granted(let vs, _, _) = try ClaimScript.run(r, on: client), let v = vs.first
        else { throw TestHTTPError("claim failed") }
        return v
    }

    /// Issues `person`'s (by default the owner's) payment code for `v` at `when`.
    func issue(
        _ v: Voucher, for person: String? = nil, merchant: String? = nil, when: String = "2022-06-10T11:59:30"
    ) throws -> (PaymentCode, PaymentCodeOutcome) {
        var rng = SystemRandomNumberGenerator()
        let r = PaymentCodeRequest(
            code: .random(using: &rng), voucherID: v.id, person: person ?? v.owner, merchant: merchant, now: at(when))
        return (r.code, try PaymentCodeScript.issue(r, pool: pool.id, on: client))
    }

    /// A fresh code of the owner's for `v`, which must be issued.
    func code(_ v: Voucher, merchant: String? = nil, when: String = "2022-06-10T11:59:30") throws -> PaymentCode {
        let (c, outcome) = try issue(v, merchant: merchant, when: when)
        guard outcome == .issued else { throw TestHTTPError("no code: \(outcome)") }
        return c
    }

    func redeem(
        _ v: Voucher, _ code: PaymentCode, order: String = "o-1", amount: Int = 600_000,
        when: String = "2022-06-10T12:00", merchant: String = "m-1"
    ) throws -> RedemptionOutcome {
        try RedemptionScript.redeem(
            RedemptionRequest(
                pool: pool, voucherID: v.id, paymentCode: code, merchant: merchant, order: order, amountFen: amount,
                now: at(when)), on: client)
    }

    func audit() throws -> [String] {
        let store = ProgrammeStore(client: client)
        let all = try store.vouchers(pool: pool.id).values.flatMap { $0 }
        return AuditReport.problems(in: try store.redemptionSnapshot(pool: pool.id, useLimit: 1, vouchers: all))
    }

    static let paid = RedemptionOutcome.redeemed(
        amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: false)
    static let replayed = RedemptionOutcome.redeemed(
        amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: true)

    @Test func redeemsOnceAndAnswersARetriedOrderTheSame() throws {
        let v = try voucher("u1")
        let c = try code(v)
        #expect(try redeem(v, c) == Self.paid)
        #expect(try redeem(v, c) == Self.replayed)
        #expect(try redeem(v, c, order: "o-2") == .refused(.paymentCodeUsed))
        #expect(try redeem(v, c, order: "o-1", merchant: "m-2") == .refused(.paymentCodeUsed))
        // A used voucher gets no new code.
        #expect(try issue(v).1 == .refused(.alreadyUsed))
        let wallet = try WalletScript.run(pool: pool.id, person: "u1", on: client)
        #expect(wallet.first?.redemption?.order == "o-1")
        #expect(wallet.first?.state(at: at("2022-06-10T12:01")) == .used)
        #expect(try audit().isEmpty)
    }

    /// Issue "Identity as a city runs it": the payment code was the resident's bearer token,
    /// good for an hour and for anything. A code pays once, for one voucher, within its minute,
    /// at the merchant it was bound to, and is only ever issued to the voucher's owner.
    @Test func aPaymentCodePaysOnceForOneVoucherWithinItsMinute() throws {
        let v = try voucher("pc1")
        let other = try voucher("pc2")
        #expect(try issue(v, for: "pc2").1 == .refused(.notOwner))
        let ghost = Voucher(
            id: "\(pool.id):2022-06-10:999", pool: pool.id, window: "2022-06-10", owner: "pc1", faceFen: 1,
            thresholdFen: 0, claimedAt: at("2022-06-10T10:00"), expiresAt: at("2022-06-11T00:00"))
        #expect(try issue(ghost).1 == .refused(.unknownVoucher))
        #expect(try issue(v, when: "2022-06-11T00:00").1 == .refused(.expired))
        var rng = SystemRandomNumberGenerator()
        #expect(try redeem(v, .random(using: &rng)) == .refused(.paymentCodeUnknown))
        #expect(try redeem(v, try code(other)) == .refused(.paymentCodeOtherVoucher))
        let late = try code(v, when: "2022-06-10T11:58:59")
        #expect(try redeem(v, late, when: "2022-06-10T11:59:59") == .refused(.paymentCodeExpired))
        let bound = try code(v, merchant: "m-7")
        #expect(try redeem(v, bound, merchant: "m-1") == .refused(.paymentCodeOtherMerchant))
        // A refusal on the order itself leaves the code usable, as the till retries in seconds.
        #expect(try redeem(v, bound, amount: 100, merchant: "m-7") == .refused(.belowThreshold))
        #expect(try redeem(v, bound, merchant: "m-7") == Self.paid)
        #expect(try redeem(v, bound, order: "o-2", merchant: "m-7") == .refused(.paymentCodeUsed))
        // Redis drops the record ten minutes after the code's expiry.
        let ttl = try client.command(["PTTL", PoolKeys(pool: pool.id).paymentCode(bound)]).integer ?? 0
        #expect(ttl > 600_000 && ttl <= 660_000)
        #expect(try audit().isEmpty)
    }

    /// Issuing is safe to resend after a lost reply: the same arguments answer `issued` again.
    @Test func issuingTheSameCodeTwiceIsOneIssue() throws {
        let v = try voucher("pc3")
        let r = PaymentCodeRequest(
            code: PaymentCode("AAAAAAAAAAAAAAAAAAAAAA")!, voucherID: v.id, person: "pc3", merchant: nil,
            now: at("2022-06-10T11:59:30"))
        #expect(try PaymentCodeScript.issue(r, pool: pool.id, on: client) == .issued)
        #expect(try PaymentCodeScript.issue(r, pool: pool.id, on: client) == .issued)
        let w = try voucher("pc4")
        let clash = PaymentCodeRequest(
            code: r.code, voucherID: w.id, person: "pc4", merchant: nil, now: at("2022-06-10T11:59:30"))
        #expect(try PaymentCodeScript.issue(clash, pool: pool.id, on: client) == .codeTaken)
        try client.command(["DEL", PoolKeys(pool: pool.id).paymentCode(r.code)])
    }

    /// Issue "No wrong answer at the seams", defect 9: a retried order with another amount was
    /// answered with the retry's amount beside the first discount and due.
    @Test func aReplayAnswersTheFirstRedemptionExactly() throws {
        let v = try voucher("u9")
        let c = try code(v)
        #expect(try redeem(v, c) == Self.paid)
        #expect(try redeem(v, c, amount: 900_000) == Self.replayed)
        #expect(try audit().isEmpty)
    }

    @Test func refusesWhatTheRulesForbid() throws {
        let v = try voucher("u2")
        let c = try code(v)
        #expect(try redeem(v, c, amount: 499_999) == .refused(.belowThreshold))
        #expect(try redeem(v, try code(v, when: "2022-06-10T23:59:30"), when: "2022-06-11T00:00") == .refused(.expired))
        // Two codes for one voucher: the first to pay uses it.
        let second = try code(v)
        #expect(try redeem(v, c, order: "first") == Self.paid)
        #expect(try redeem(v, second, order: "second") == .refused(.alreadyUsed))
        // An order id already used for another voucher is not reused.
        let w = try voucher("u3")
        #expect(try redeem(w, try code(w), order: "shared") == Self.paid)
        let x = try voucher("u4")
        #expect(try redeem(x, try code(x), order: "shared") == .refused(.orderConflict))
        #expect(try audit().isEmpty)
    }

    @Test func onlyOneApplianceVoucherOfAFaceMayBeUsedOverTheProgramme() throws {
        let day1 = try voucher("u5", "2022-06-10T10:00:01")
        let day2 = try voucher("u5", "2022-06-11T10:00:01")
        #expect(try redeem(day1, try code(day1), order: "d1") == Self.paid)
        let day2Code = try code(day2, when: "2022-06-11T11:59:30")
        #expect(try redeem(day2, day2Code, order: "d2", when: "2022-06-11T12:00") == .refused(.usageLimit))
        // A refund gives the use back: the second voucher becomes usable.
        #expect(
            try RedemptionScript.reverse(
                pool: pool.id, voucher: day1.id, merchant: "m-1", order: "d1", now: at("2022-06-10T13:00"), on: client)
                == .reversed(replayed: false))
        #expect(try redeem(day2, day2Code, order: "d2b", when: "2022-06-11T12:00") == Self.paid)
        #expect(try audit().isEmpty)
    }

    @Test func aReversalGivesTheVoucherBackExactlyOnceAndNotAfterExpiry() throws {
        let v = try voucher("u6")
        _ = try redeem(v, try code(v), order: "r1")
        func reverse(_ order: String, _ when: String) throws -> ReversalOutcome {
            try RedemptionScript.reverse(
                pool: pool.id, voucher: v.id, merchant: "m-1", order: order, now: at(when), on: client)
        }
        #expect(try reverse("nope", "2022-06-10T13:00") == .unknownOrder)
        #expect(try reverse("r1", "2022-06-10T13:00") == .reversed(replayed: false))
        #expect(try reverse("r1", "2022-06-10T13:01") == .reversed(replayed: true))
        // Usable again, under a new order and a new code; the reversed order id is not reused.
        let again = try code(v, when: "2022-06-10T13:01:30")
        #expect(try redeem(v, again, order: "r1", when: "2022-06-10T13:02") == .refused(.orderConflict))
        #expect(try redeem(v, again, order: "r2", when: "2022-06-10T13:02") == Self.paid)
        #expect(try reverse("r2", "2022-06-11T00:00") == .expired)
        #expect(try audit().isEmpty)
    }

    @Test func twoTillsRedeemingOneVoucherAtOnceOneWins() throws {
        let v = try voucher("u7")
        let endpoint = try TestRedis.get().endpoint
        let wins = RaceCounter()
        let group = DispatchGroup()
        let p = pool
        let when = at("2022-06-10T12:00")
        // Each till holds its own code of the owner's.
        let codes = try (0..<16).map { _ in try code(v) }
        for till in 0..<16 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let c = try? RedisClient(endpoint),
                    let outcome = try? RedemptionScript.redeem(
                        RedemptionRequest(
                            pool: p, voucherID: v.id, paymentCode: codes[till], merchant: "m-\(till)",
                            order: "till-\(till)", amountFen: 600_000, now: when), on: c)
                else { return }
                if case .redeemed(_, _, _, false) = outcome { wins.add() }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        #expect(wins.value == 1)
        #expect(try audit().isEmpty)
    }
}

/// A counter the racing threads share.
final class RaceCounter: @unchecked Sendable {
    // @unchecked: every access holds `lock`; test code only.
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

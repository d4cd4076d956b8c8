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

    func redeem(
        _ v: Voucher, by person: String? = nil, order: String = "o-1", amount: Int = 600_000,
        when: String = "2022-06-10T12:00", merchant: String = "m-1"
    ) throws -> RedemptionOutcome {
        try RedemptionScript.redeem(
            RedemptionRequest(
                pool: pool, voucherID: v.id, person: person ?? v.owner, merchant: merchant, order: order,
                amountFen: amount, now: at(when)), on: client)
    }

    func audit() throws -> [String] {
        let store = ProgrammeStore(client: client)
        let all = try store.vouchers(pool: pool.id).values.flatMap { $0 }
        return AuditReport.problems(in: try store.redemptionSnapshot(pool: pool.id, useLimit: 1, vouchers: all))
    }

    @Test func redeemsOnceAndAnswersARetriedOrderTheSame() throws {
        let v = try voucher("u1")
        #expect(try redeem(v) == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: false))
        #expect(try redeem(v) == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: true))
        #expect(try redeem(v, order: "o-2") == .refused(.alreadyUsed))
        #expect(try redeem(v, order: "o-1", merchant: "m-2") == .refused(.alreadyUsed))
        let wallet = try WalletScript.run(pool: pool.id, person: "u1", on: client)
        #expect(wallet.first?.redemption?.order == "o-1")
        #expect(wallet.first?.state(at: at("2022-06-10T12:01")) == .used)
        #expect(try audit().isEmpty)
    }

    /// Issue "No wrong answer at the seams", defect 9: a retried order with another amount was
    /// answered with the retry's amount beside the first discount and due, and a replay with
    /// another payer's code was answered 200 replayed.
    @Test func aReplayAnswersTheFirstRedemptionExactlyAndOnlyToItsPayer() throws {
        let v = try voucher("u9")
        #expect(try redeem(v) == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: false))
        #expect(
            try redeem(v, amount: 900_000)
                == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: true))
        #expect(try redeem(v, by: "someone-else") == .refused(.notOwner))
        #expect(try audit().isEmpty)
    }

    @Test func refusesWhatTheRulesForbid() throws {
        let v = try voucher("u2")
        #expect(try redeem(v, by: "someone-else") == .refused(.notOwner))
        #expect(try redeem(v, amount: 499_999) == .refused(.belowThreshold))
        #expect(try redeem(v, when: "2022-06-11T00:00") == .refused(.expired))
        let ghost = Voucher(
            id: "\(pool.id):2022-06-10:999", pool: pool.id, window: "2022-06-10", owner: "u2", faceFen: 1,
            thresholdFen: 0,
            claimedAt: at("2022-06-10T10:00"), expiresAt: at("2022-06-11T00:00"))
        #expect(try redeem(ghost, order: "o-9") == .refused(.unknownVoucher))
        // An order id already used for another voucher is not reused.
        let w = try voucher("u3")
        #expect(
            try redeem(w, order: "shared")
                == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: false))
        let x = try voucher("u4")
        #expect(try redeem(x, order: "shared") == .refused(.orderConflict))
        #expect(try audit().isEmpty)
    }

    @Test func onlyOneApplianceVoucherOfAFaceMayBeUsedOverTheProgramme() throws {
        let day1 = try voucher("u5", "2022-06-10T10:00:01")
        let day2 = try voucher("u5", "2022-06-11T10:00:01")
        #expect(
            try redeem(day1, order: "d1")
                == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: false))
        #expect(try redeem(day2, order: "d2", when: "2022-06-11T12:00") == .refused(.usageLimit))
        // A refund gives the use back: the second voucher becomes usable.
        #expect(
            try RedemptionScript.reverse(
                pool: pool.id, voucher: day1.id, merchant: "m-1", order: "d1", now: at("2022-06-10T13:00"), on: client)
                == .reversed(replayed: false))
        #expect(
            try redeem(day2, order: "d2b", when: "2022-06-11T12:00")
                == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: false))
        #expect(try audit().isEmpty)
    }

    @Test func aReversalGivesTheVoucherBackExactlyOnceAndNotAfterExpiry() throws {
        let v = try voucher("u6")
        _ = try redeem(v, order: "r1")
        func reverse(_ order: String, _ when: String) throws -> ReversalOutcome {
            try RedemptionScript.reverse(
                pool: pool.id, voucher: v.id, merchant: "m-1", order: order, now: at(when), on: client)
        }
        #expect(try reverse("nope", "2022-06-10T13:00") == .unknownOrder)
        #expect(try reverse("r1", "2022-06-10T13:00") == .reversed(replayed: false))
        #expect(try reverse("r1", "2022-06-10T13:01") == .reversed(replayed: true))
        // Usable again, under a new order; the reversed order id is not reused.
        #expect(try redeem(v, order: "r1") == .refused(.orderConflict))
        #expect(
            try redeem(v, order: "r2")
                == .redeemed(amountFen: 600_000, discountFen: 50000, dueFen: 550_000, replayed: false))
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
        for till in 0..<16 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let c = try? RedisClient(endpoint),
                    let outcome = try? RedemptionScript.redeem(
                        RedemptionRequest(
                            pool: p, voucherID: v.id, person: v.owner, merchant: "m-\(till)", order: "till-\(till)",
                            amountFen: 600_000, now: when), on: c)
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

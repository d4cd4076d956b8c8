import Testing

@testable import ClaimCore

@Suite struct VoucherTests {
    let cal = CityCalendar.shenyang
    func at(_ s: String) -> Instant { cal.parseISO8601(s)! }

    var voucher: Voucher {
        Voucher(
            id: "appliance-500:2022-06-10:1", pool: "appliance-500", window: "2022-06-10", owner: "u1", faceFen: 50000,
            thresholdFen: 500000, claimedAt: at("2022-06-10T10:00"), expiresAt: at("2022-06-11T00:00"))
    }

    @Test func isUsableThenExpiredAtMidnight() {
        #expect(voucher.state(at: at("2022-06-10T23:59:59.999")) == .usable)
        #expect(voucher.state(at: at("2022-06-11T00:00")) == .expired)
    }

    @Test func aUsedVoucherStaysUsedAfterItsExpiry() {
        var v = voucher
        v.redemption = VoucherRedemption(merchant: "m", order: "o", amountFen: 600000, at: at("2022-06-10T12:00"))
        #expect(v.state(at: at("2022-06-10T13:00")) == .used)
        #expect(v.state(at: at("2022-06-12T00:00")) == .used)
    }

    @Test func voucherIdsNameTheirPool() {
        #expect(RedemptionRequest.poolID(ofVoucher: "appliance-500:2022-06-10:1") == "appliance-500")
        #expect(RedemptionRequest.poolID(ofVoucher: "housing-fair:grant:7.2") == "housing-fair")
        #expect(RedemptionRequest.poolID(ofVoucher: ":x") == nil)
        #expect(RedemptionRequest.poolID(ofVoucher: "nocolon") == nil)
        #expect(RedemptionRequest.poolID(ofVoucher: "a b:1") == nil)
    }
}

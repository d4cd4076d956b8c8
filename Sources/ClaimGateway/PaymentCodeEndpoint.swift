import ClaimCore
import ClaimHTTP
import ClaimRedis

/// `POST /v1/me/payment-codes`: a resident asks for a single-use code to pay with one of their
/// vouchers at a till (optionally at one merchant only). The resident's token and the body are
/// checked here; `paycode.lua` checks the voucher is theirs and still usable, and stores the
/// code beside it for `redeem.lua` to consume.
final class PaymentCodeEndpoint {
    private let context: GatewayContext
    private let gatekeeper: Gatekeeper
    /// The system's CSPRNG (getrandom): a code must not be guessable from earlier ones.
    private var random = SystemRandomNumberGenerator()

    init(context: GatewayContext, gatekeeper: Gatekeeper) {
        self.context = context
        self.gatekeeper = gatekeeper
    }

    func handle(_ request: HTTPRequestView, slot: HTTPAnswerSlot, now: Instant) {
        let person: String
        switch gatekeeper.admittedResident(request, now: now) {
        case .failure(let r): return answer(slot, r)
        case .success(let p): person = p.person
        }
        let shape = "body must be {\"voucher\": \"<voucher id>\"} and optionally \"merchant\": \"<merchant id>\""
        guard let body = try? FlatJSONObject(parsing: request.body), let voucher = body.string("voucher") else {
            return answer(slot, .error(.badRequest, shape))
        }
        var merchant: String?
        switch body["merchant"] {
        case nil, .null?: merchant = nil
        case .string(let m)? where Identifier.isValid(m): merchant = m
        default: return answer(slot, .error(.badRequest, "merchant must be a merchant id (an identifier)"))
        }
        // The voucher names its pool, where the code is kept (no code is drawn for nothing).
        guard voucher.utf8.count <= 160, let pool = RedemptionRequest.poolID(ofVoucher: voucher),
            context.programme.segment(storageID: pool) != nil
        else {
            let refusal = RedemptionRefusal.unknownVoucher
            return answer(slot, .error(code: refusal.rawValue, status: refusal.status, refusal.message))
        }
        let r = PaymentCodeRequest(
            code: .random(using: &random), voucherID: voucher, person: person, merchant: merchant, now: now)
        let call = PaymentCodeCall(r, pool: pool, slot: slot, context: context)
        guard context.admitRedisCall(),
            context.redis.send(
                slot: HashSlot.of(PoolKeys(pool: pool).vouchers), shape: PaymentCodeCall.shape, owner: call, tag: 0)
        else { return answer(slot, context.unavailable()) }
    }

    /// Answers a request refused before Redis, counting it.
    private func answer(_ slot: HTTPAnswerSlot, _ response: GatewayResponse) {
        context.metrics.redemption(.paymentCode, status: response.status, replayed: false)
        context.respond(slot, response)
    }
}

/// One payment code at Redis, and its answer.
final class PaymentCodeCall: RedisCallOwner {
    /// A write, and safe to resend: the code is drawn before the first send, so a second run
    /// finds its own record and answers `issued` again (`paycode.lua`).
    static let shape = RedisCallShape(isWrite: true, resend: .safe)

    private let request: PaymentCodeRequest
    private let pool: String
    private let slot: HTTPAnswerSlot
    private let context: GatewayContext

    init(_ request: PaymentCodeRequest, pool: String, slot: HTTPAnswerSlot, context: GatewayContext) {
        self.request = request
        self.pool = pool
        self.slot = slot
        self.context = context
    }

    func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8]) {
        RESPEncoder.append(PaymentCodeScript.command(request, pool: pool, sendSource: sendSource), to: &out)
    }

    func replied(tag: Int, owned reply: RedisReply) {
        do {
            let outcome = try PaymentCodeScript.outcome(reply)
            answer(ResponseBody.paymentCode(outcome, request: request, programme: context.programme))
        } catch {
            context.metrics.redisErrors.increment()
            context.logger.error("paycode script failed", metadata: ["error": "\(error)"])
            answer(.error(.internalError, "no payment code could be issued; retry"))
        }
    }

    /// Not run, or run with the reply lost after the resends the policy allows: no code was
    /// handed out either way, so the resident's app simply asks again.
    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) { answer(context.unavailable()) }

    private func answer(_ response: GatewayResponse) {
        context.metrics.redemption(.paymentCode, status: response.status, replayed: false)
        context.respond(slot, response)
    }
}

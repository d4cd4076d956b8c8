import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimRedis

/// `POST /v1/redemptions` and `POST /v1/redemptions/{order}/reverse`: the merchant's token,
/// the body, the payment code's form and the scope are checked here; `redeem.lua` and
/// `reverse.lua` check the rest atomically (a `RedemptionCall` each), the code included.
final class RedemptionEndpoint {
    private let context: GatewayContext
    private let gatekeeper: Gatekeeper

    init(context: GatewayContext, gatekeeper: Gatekeeper) {
        self.context = context
        self.gatekeeper = gatekeeper
    }

    func redeem(_ request: HTTPRequestView, slot: HTTPAnswerSlot, now: Instant) {
        switch redemption(request, now: now) {
        case .failure(let r): answer(slot, r, .redeem)
        case .success(let r): send(RedemptionCall(.redeem(r), slot: slot, context: context), pool: r.storageID)
        }
    }

    func reverse(_ request: HTTPRequestView, order: String, slot: HTTPAnswerSlot, now: Instant) {
        let m: MerchantToken
        switch gatekeeper.merchant(request, now: now) {
        case .failure(let r): return answer(slot, r, .reverse)
        case .success(let t): m = t
        }
        guard Identifier.isValid(order) else {
            return answer(slot, .error(.badRequest, "order must be an identifier"), .reverse)
        }
        guard let body = try? FlatJSONObject(parsing: request.body), let voucher = body.string("voucher") else {
            return answer(slot, .error(.badRequest, "body must be {\"voucher\": \"<voucher id>\"}"), .reverse)
        }
        // An id that names no voucher of ours was never redeemed under this order.
        guard voucher.utf8.count <= 160, let poolID = RedemptionRequest.poolID(ofVoucher: voucher),
            context.programme.segment(storageID: poolID) != nil
        else {
            return answer(slot, .error(.unknownOrder, "no redemption of this voucher under this order id"), .reverse)
        }
        let work = RedemptionCall.Work.reverse(
            pool: poolID, voucher: voucher, merchant: m.merchant, order: order, now: now)
        send(RedemptionCall(work, slot: slot, context: context), pool: poolID)
    }

    private func send(_ call: RedemptionCall, pool: String) {
        guard context.admitRedisCall(),
            context.redis.send(
                slot: HashSlot.of(PoolKeys(pool: pool).orders), shape: RedemptionCall.shape, owner: call, tag: 0)
        else { return answer(call.slot, context.unavailable(), call.kind) }
    }

    /// Answers a redemption or reversal refused before Redis, counting it.
    private func answer(_ slot: HTTPAnswerSlot, _ response: GatewayResponse, _ kind: GatewayMetrics.RedemptionKind) {
        context.metrics.redemption(kind, status: response.status, replayed: false)
        context.respond(slot, response)
    }

    /// Checks a redemption's merchant, body, payment code and scope; the script checks the rest.
    private func redemption(_ request: HTTPRequestView, now: Instant) -> Result<RedemptionRequest, GatewayResponse> {
        let m: MerchantToken
        switch gatekeeper.merchant(request, now: now) {
        case .failure(let r): return .failure(r)
        case .success(let t): m = t
        }
        let shape = "body must be {\"voucher\", \"order\", \"amount_fen\", \"payment_code\"}"
        guard let body = try? FlatJSONObject(parsing: request.body), let voucher = body.string("voucher"),
            let order = body.string("order"), let amount = body.integer("amount_fen"),
            let codeText = body.string("payment_code")
        else { return .failure(.error(.badRequest, shape)) }
        // Only a single-use code pays: a resident's bearer token at the till would let the
        // merchant act as the resident until it expired.
        guard let code = PaymentCode(codeText) else {
            let why =
                codeText.contains(".")
                ? "payment_code must be a single-use payment code from POST /v1/me/payment-codes, not a token"
                : "payment_code must be the 22-character code from POST /v1/me/payment-codes"
            return .failure(.error(.badRequest, why))
        }
        guard Identifier.isValid(order) else {
            return .failure(.error(.badRequest, "order must be 1-64 of [A-Za-z0-9_.-]"))
        }
        guard (1...10_000_000_000).contains(amount) else {
            return .failure(.error(.badRequest, "amount_fen must be 1...10000000000"))
        }
        guard voucher.utf8.count <= 160, let poolID = RedemptionRequest.poolID(ofVoucher: voucher),
            let pool = context.programme.segment(storageID: poolID)?.pool
        else {
            let r = RedemptionRefusal.unknownVoucher
            return .failure(.error(code: r.rawValue, status: r.status, r.message))
        }
        guard pool.accepts(anyOf: m.categories) else {
            let r = RedemptionRefusal.outOfScope
            return .failure(.error(code: r.rawValue, status: r.status, r.message))
        }
        return .success(
            RedemptionRequest(
                pool: pool, voucherID: voucher, paymentCode: code, merchant: m.merchant, order: order,
                amountFen: Int(amount), now: now))
    }
}

/// One redemption or reversal at Redis, and its answer.
final class RedemptionCall: RedisCallOwner {
    enum Work {
        case redeem(RedemptionRequest)
        case reverse(pool: String, voucher: String, merchant: String, order: String, now: Instant)
    }

    /// Writes; never resent after a lost reply (the merchant retries with the same order id,
    /// which the scripts answer idempotently).
    static let shape = RedisCallShape(isWrite: true, resend: .never)

    let work: Work
    let slot: HTTPAnswerSlot
    private let context: GatewayContext

    init(_ work: Work, slot: HTTPAnswerSlot, context: GatewayContext) {
        self.work = work
        self.slot = slot
        self.context = context
    }

    var kind: GatewayMetrics.RedemptionKind {
        if case .redeem = work { .redeem } else { .reverse }
    }

    /// Answers the call, counting the answer by kind and outcome.
    private func answer(_ response: GatewayResponse, replayed: Bool = false) {
        context.metrics.redemption(kind, status: response.status, replayed: replayed)
        context.respond(slot, response)
    }

    func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8]) {
        switch work {
        case .redeem(let r): RESPEncoder.append(RedemptionScript.redeemCommand(r, sendSource: sendSource), to: &out)
        case .reverse(let pool, let voucher, let merchant, let order, let now):
            RESPEncoder.append(
                RedemptionScript.reverseCommand(
                    pool: pool, voucher: voucher, merchant: merchant, order: order, now: now, sendSource: sendSource),
                to: &out)
        }
    }

    func replied(tag: Int, owned reply: RedisReply) {
        switch work {
        case .redeem(let r):
            do {
                let outcome = try RedemptionScript.redemption(reply)
                let replayed: Bool = if case .redeemed(_, _, _, true) = outcome { true } else { false }
                answer(ResponseBody.redemption(outcome, request: r), replayed: replayed)
            } catch {
                scriptFailed("redeem", error, retry: "retry with the same order id")
            }
        case .reverse(_, let voucher, _, let order, _):
            do {
                let outcome = try RedemptionScript.reversal(reply)
                let replayed: Bool = if case .reversed(true) = outcome { true } else { false }
                answer(ResponseBody.reversal(outcome, voucher: voucher, order: order), replayed: replayed)
            } catch { scriptFailed("reverse", error, retry: "retry") }
        }
    }

    private func scriptFailed(_ script: String, _ error: RedisError, retry: String) {
        context.metrics.redisErrors.increment()
        context.logger.error("\(script) script failed", metadata: ["error": "\(error)"])
        let what = script == "redeem" ? "redemption" : "reversal"
        answer(.error(.internalError, "the \(what) could not be completed; \(retry)"))
    }

    /// 503 if Redis never had the call; 504 if it may have run it (both scripts answer a rerun
    /// of the same order as the first run, so that retry is safe).
    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) {
        guard case .outcomeUnknown = failure else { return answer(context.unavailable()) }
        switch work {
        case .redeem: answer(.outcomeUnknown("redemption", retryWith: "the same order id"))
        case .reverse: answer(.outcomeUnknown("reversal", retryWith: "the same order id and voucher"))
        }
    }
}

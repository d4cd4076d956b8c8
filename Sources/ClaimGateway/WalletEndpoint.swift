import ClaimCore
import ClaimHTTP
import ClaimRedis

/// `GET /v1/me/vouchers`: the resident's vouchers from every pool (one `wallet.lua` per pool,
/// since each pool's keys live in their own slot), gathered by a `WalletRead`.
final class WalletEndpoint {
    private let context: GatewayContext
    private let gatekeeper: Gatekeeper

    init(context: GatewayContext, gatekeeper: Gatekeeper) {
        self.context = context
        self.gatekeeper = gatekeeper
    }

    func handle(_ request: HTTPRequestView, slot: HTTPAnswerSlot, now: Instant) {
        let person: String
        switch gatekeeper.admittedResident(request, now: now) {
        case .failure(let r): return context.respond(slot, r)
        case .success(let p): person = p.person
        }
        guard context.admitRedisCall() else { return context.respond(slot, context.unavailable()) }
        let read = WalletRead(person: person, slot: slot, context: context)
        context.sendReads(read, tags: context.programme.pools.indices, slot: read.redisSlot)
    }
}

/// One wallet request's script calls, one per pool (`tag`: the pool's index), until the last
/// reply is in (or the first failure, which answers 503 at once).
final class WalletRead: RedisCallOwner {
    private let person: String
    private let slot: HTTPAnswerSlot
    private let context: GatewayContext
    private var parts: PartsAnswer
    private var vouchers: [Voucher] = []
    private var unreadable = false

    init(person: String, slot: HTTPAnswerSlot, context: GatewayContext) {
        self.person = person
        self.slot = slot
        self.context = context
        parts = PartsAnswer(parts: context.programme.pools.count)
    }

    /// The person's segment's keys of pool `i`.
    private func storage(_ i: Int) -> String { context.programme.pools[i].segment(of: person).storageID }

    func redisSlot(_ i: Int) -> Int { HashSlot.of(PoolKeys(pool: storage(i)).wallet) }

    func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8]) {
        RESPEncoder.append(WalletScript.command(pool: storage(tag), person: person, sendSource: sendSource), to: &out)
    }

    func replied(tag: Int, owned reply: RedisReply) {
        do { vouchers += try WalletScript.vouchers(reply, pool: context.programme.pools[tag].id) } catch {
            context.metrics.redisErrors.increment()
            context.logger.error("wallet script failed", metadata: ["error": "\(error)"])
            unreadable = true
        }
        guard parts.replied() else { return }
        if unreadable { return context.respond(slot, .error(.internalError, "the wallet could not be read; retry")) }
        context.respond(
            slot,
            ResponseBody.wallet(person: person, vouchers: vouchers, programme: context.programme, now: context.now()))
    }

    func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) {
        if parts.failed() { context.respond(slot, context.unavailable()) }
    }
}

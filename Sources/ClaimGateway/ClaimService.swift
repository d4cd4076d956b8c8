import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimPOSIX

/// The gateway's HTTP application: routes each request to its endpoint (claims, progress,
/// wallet, payment codes, redemptions; health and metrics here), after the per-address limit, and renders the
/// HTTP server's own refusals. Endpoints answer through the shared `GatewayContext`.
final class ClaimService: HTTPApplication {
    private let context: GatewayContext
    private let gatekeeper: Gatekeeper
    private let claims: ClaimEndpoint
    let batcher: ClaimBatcher
    /// Shared with the loop's `RestockListener`, which unmarks what it hears restocked.
    let answers: ClaimAnswers
    private let progress: ProgressEndpoint
    private let wallet: WalletEndpoint
    private let redemptions: RedemptionEndpoint
    private let paymentCodes: PaymentCodeEndpoint
    /// Pool ids by their bytes, for routing without Strings.
    private let pools: PoolDirectory
    private let cors: CORSPolicy

    init(context: GatewayContext) throws(POSIXError) {
        self.context = context
        gatekeeper = try Gatekeeper(config: context.config, metrics: context.metrics, loop: context.loop)
        answers = ClaimAnswers(context: context)
        batcher = ClaimBatcher(context: context, answers: answers)
        claims = ClaimEndpoint(context: context, gatekeeper: gatekeeper, answers: answers, batcher: batcher)
        progress = ProgressEndpoint(context: context)
        wallet = WalletEndpoint(context: context, gatekeeper: gatekeeper)
        redemptions = RedemptionEndpoint(context: context, gatekeeper: gatekeeper)
        paymentCodes = PaymentCodeEndpoint(context: context, gatekeeper: gatekeeper)
        pools = PoolDirectory(ids: context.programme.pools.map(\.id))
        cors = context.config.cors
    }

    /// Verifies tokens with `keys` from the next request on (a JWKS reload).
    func replaceKeys(_ keys: TokenKeySet, generation: Int) { gatekeeper.replaceKeys(keys, generation: generation) }

    /// Checks store QR codes with `keys` from the next request on (the operators' JWKS reloaded).
    func replaceStoreQRKeys(_ keys: TokenKeySet?) { claims.replaceStoreQRKeys(keys) }

    /// The loop is done: stops what runs beside it (the thread verifying tokens ahead).
    func stop() { gatekeeper.stop() }

    func handle(_ request: HTTPRequestView, peer: UInt32, slot: HTTPAnswerSlot) {
        context.metrics.requests.increment()
        let now = context.now()
        let route = Route(method: request.method, path: request.path, pools: pools)
        var slot = slot
        let origin = cors.isEmpty ? nil : request.field(RequestFields.origin)
        // Every answer to an allowed origin says so, however it is made (`CORSPolicy`).
        if let origin { slot.headerSet = cors.headerSet(origin: origin) }
        if gatekeeper.limitsAddresses, route != .health, route != .metrics, let r = gatekeeper.checkAddress(peer) {
            return context.respond(slot, r)
        }
        switch route {
        case .claim(let ref): claims.handle(request, pool: ref, slot: slot, now: now)
        case .health:
            let (ready, reason) = readiness()
            context.respond(
                slot,
                ResponseBody.health(
                    ready: ready, redisUp: context.redis.isReady, reason: reason, programme: context.programme,
                    version: context.config.programmeVersion, now: now))
        case .metrics:
            guard let text = context.metrics.exposition() else {
                return context.respond(slot, .error(.notFound, "metrics are off"))
            }
            context.respond(
                slot, GatewayResponse(status: 200, body: text, contentType: "text/plain; version=0.0.4; charset=utf-8"))
        case .notFound: context.respond(slot, .error(.notFound, "no such endpoint"))
        case .methodNotAllowed(let allowed):
            context.respond(slot, .error(.methodNotAllowed, "use \(allowed)", headers: "Allow: \(allowed)\r\n"))
        case .progress(let ref):
            guard case .known(let index) = ref else { return context.respond(slot, Self.unknownPool(ref)) }
            progress.handle(pool: index, request: request, slot: slot, now: now)
        case .pools: progress.handleList(request: request, slot: slot, now: now)
        case .options(let allowed):
            // A browser's preflight: an origin not allowed is told so by name (its page's
            // request will not be sent); without an Origin it is a plain OPTIONS.
            if let origin = request.field(RequestFields.origin), slot.headerSet == 0 {
                let name = String(decoding: origin, as: UTF8.self)
                return context.respond(
                    slot,
                    .error(
                        .originNotAllowed,
                        "origin \(name) may not call this API from a browser (claimgate serve --cors-origin)"))
            }
            context.respond(
                slot, GatewayResponse(status: 204, body: [], headers: CORSPolicy.preflightHeaders(allowed: allowed)))
        case .wallet: wallet.handle(request, slot: slot, now: now)
        case .paymentCode: paymentCodes.handle(request, slot: slot, now: now)
        case .redeem: redemptions.redeem(request, slot: slot, now: now)
        case .reverse(let order): redemptions.reverse(request, order: order, slot: slot, now: now)
        }
    }

    func refuse(_ refusal: HTTPRefusal, slot: HTTPAnswerSlot) {
        switch refusal {
        case .timedOut:
            context.respond(slot, .error(.requestTimeout, "the request was not completed in time"))
        case .unparseable(let error):
            let code: APIError =
                switch error.status {
                case 431: .headersTooLarge
                case 413: .payloadTooLarge
                case 501: .notImplemented
                default: .badRequest
                }
            let r = GatewayResponse.error(code, error.message)
            context.respond(slot, GatewayResponse(status: error.status, body: r.body))
        }
    }

    /// Whether the whole gateway can serve claims: this loop's Redis link, every other loop's,
    /// and the programme's check against Redis; if not, why.
    private func readiness() -> (Bool, String?) {
        // A Redis refused for its settings: why, first (it is what to fix).
        if !context.redis.isReady, let problem = context.redisProblem { return (false, problem) }
        if let all = context.config.readiness, !all.allReady {
            return (false, "\(all.readyLoops) of \(all.loops) event loops have a Redis link")
        }
        guard context.redis.isReady else { return (false, "no Redis link: reconnecting") }
        if let check = context.config.programmeCheck, !check.hasPassed { return (false, ProgrammeCheck.pendingReason) }
        return (true, nil)
    }

    /// The answer to a connection over the per-address cap.
    let overCapAnswer: [UInt8] = {
        let body = Array(#"{"error":"rate_limited","message":"too many connections from your address"}"#.utf8)
        var out: [UInt8] = []
        HTTPResponseWriter.append(
            status: 429, body: body, keepAlive: false, extraHeaders: "Retry-After: 1\r\n", to: &out)
        return out
    }()

    func connectionsChanged(by delta: Int) {
        if delta > 0 {
            context.metrics.openConnections.increment()
        } else {
            context.metrics.openConnections.decrement()
        }
    }

    func connectionRefused() { context.metrics.rateLimitedConnections.increment() }

    func acceptPaused(_ error: POSIXError, report: Int?) {
        context.metrics.acceptPaused.increment()
        guard let report else { return }
        context.logger.warning(
            "cannot accept connections (out of descriptors? see ulimit -n): accepting paused until one closes",
            metadata: ["error": "\(error)", "pauses": "\(report)", "connections": "\(context.http.connectionCount)"])
    }

    /// 404 for a path naming no pool of the programme.
    static func unknownPool(_ ref: PoolRef) -> GatewayResponse {
        guard case .unknown(let id) = ref else { return .error(.unknownPool, "no such pool") }
        return .error(.unknownPool, "no pool \(id)")
    }
}

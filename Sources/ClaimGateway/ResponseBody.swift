import ClaimCore

/// JSON bodies of the API (docs/api.md), written without Foundation.
public enum ResponseBody {
    /// The answer to a claim.
    public static func claim(_ outcome: ClaimOutcome, pool: Pool, programme: Programme, now: Instant)
        -> GatewayResponse
    {
        let calendar = programme.calendar
        switch outcome {
        case .granted(let vouchers, let left, let replayed):
            var w = JSONWriter(capacity: 384 * vouchers.count)
            w.beginObject()
            // `voucher` is the first (the only one outside bundles); `vouchers` lists them all.
            if let first = vouchers.first {
                w.beginObject("voucher")
                voucherFields(first, pool: pool, programme: programme, now: now, into: &w)
                w.endObject()
            }
            if vouchers.count > 1 {
                w.beginArray("vouchers")
                for v in vouchers {
                    w.beginObject()
                    voucherFields(v, pool: pool, programme: programme, now: now, into: &w)
                    w.endObject()
                }
                w.endArray()
            }
            w.field("left", left)
            w.field("replayed", replayed)
            w.endObject()
            return GatewayResponse(status: replayed ? 200 : 201, body: w.bytes)
        case .soldOut:
            // When to come back: the pool's next release (null after its last).
            return .error(.soldOut, "all vouchers of this release have been claimed") { w in
                if let next = pool.schedule.nextRelease(after: now, in: calendar) {
                    w.field("next_opens_at", calendar.iso8601(next.opensAt))
                } else {
                    w.nullField("next_opens_at")
                }
            }
        case .limitReached:
            return .error(.limitReached, "you have claimed the most allowed in this release") { w in
                w.field("limit", pool.limitPerWindow)
            }
        case .notOpen(let opensAt):
            return .error(.notOpen, "this pool is not open for claims yet") { w in
                if let opensAt { w.field("opens_at", calendar.iso8601(opensAt)) } else { w.nullField("opens_at") }
            }
        case .closed:
            return .error(.closed, "this pool's last release has closed")
        case .notEligible(let reason):
            return .error(.notEligible, "you are not eligible for this pool") { w in w.field("reason", reason.rawValue)
            }
        case .paused(let reason):
            return .error(
                .paused, "claims for this pool are paused by its operators; try again later",
                headers: "Retry-After: 30\r\n"
            ) { w in w.field("reason", reason) }
        }
    }

    /// The fields of one voucher, as the claim answer and the wallet show it: ids for programs,
    /// names (pool, store, merchant categories) for the people an app shows them to.
    public static func voucherFields(
        _ v: Voucher, pool: Pool?, programme: Programme, now: Instant, into w: inout JSONWriter
    ) {
        let calendar = programme.calendar
        w.field("id", v.id)
        w.field("pool", v.pool)
        if let pool {
            w.field("pool_name", pool.name)
            w.field("kind", pool.kind.rawValue)
        }
        w.field("window", v.window)
        w.field("face_fen", v.faceFen)
        w.field("threshold_fen", v.thresholdFen)
        w.field("claimed_at", calendar.iso8601(v.claimedAt))
        w.field("expires_at", calendar.iso8601(v.expiresAt))
        w.field("state", v.state(at: now).rawValue)
        if let store = v.store {
            w.field("store", store)
            w.field("store_name", programme.storeName(store))
        }
        w.beginArray("merchant_categories")
        for c in pool?.merchantCategories ?? [] { w.element(c) }
        w.endArray()
        // In the same order as the ids.
        w.beginArray("merchant_category_names")
        for c in pool?.merchantCategories ?? [] { w.element(programme.categoryName(c)) }
        w.endArray()
        if let r = v.redemption {
            w.beginObject("redemption")
            w.field("merchant", r.merchant)
            w.field("order", r.order)
            w.field("amount_fen", r.amountFen)
            w.field("at", calendar.iso8601(r.at))
            w.endObject()
        }
    }

    /// Release progress of one pool: its fields, then the gateway's clock.
    public static func progress(
        pool: Pool, position: SchedulePosition, counts: (released: Int, left: Int, granted: Int)?,
        calendar: CityCalendar, now: Instant, pausedReason: String? = nil
    ) -> GatewayResponse {
        var w = JSONWriter(capacity: 400)
        w.beginObject()
        progressFields(
            pool: pool, position: position, counts: counts, calendar: calendar, pausedReason: pausedReason, into: &w)
        w.field("server_time", calendar.iso8601(now))
        w.endObject()
        return GatewayResponse(status: 200, body: w.bytes)
    }

    /// The fields of one pool's progress (inside its object), as `GET /v1/pools/{pool}` and
    /// each entry of `GET /v1/pools` show them.
    public static func progressFields(
        pool: Pool, position: SchedulePosition, counts: (released: Int, left: Int, granted: Int)?,
        calendar: CityCalendar, pausedReason: String?, into w: inout JSONWriter
    ) {
        w.field("pool", pool.id)
        w.field("kind", pool.kind.rawValue)
        w.field("name", pool.name)
        w.field("face_fen", pool.faceFen)
        w.field("threshold_fen", pool.thresholdFen)
        w.field("limit_per_window", pool.limitPerWindow)
        w.field("stock_per_release", pool.stockPerRelease)
        switch position {
        case .open(let win), .upcoming(let win):
            // An operator's pause shows over open and upcoming alike: claims get 409 paused.
            let state = pausedReason != nil ? "paused" : { if case .open = position { "open" } else { "upcoming" } }()
            w.field("state", state)
            if let pausedReason { w.field("paused_reason", pausedReason) }
            w.beginObject("window")
            w.field("id", win.id)
            w.field("opens_at", calendar.iso8601(win.opensAt))
            w.field("closes_at", calendar.iso8601(win.closesAt))
            w.endObject()
        case .ended:
            w.field("state", "ended")
            w.nullField("window")
        }
        w.field("stock_released", counts != nil)
        w.field("released", counts?.released ?? 0)
        // Not released yet: what will be, so an app can show the stock it counts down to.
        let upcoming: Bool = { if case .ended = position { false } else { counts == nil } }()
        w.field("left", counts?.left ?? (upcoming ? pool.stockPerRelease : 0))
        w.field("granted", counts?.granted ?? 0)
    }

    /// A person's vouchers across pools, newest first.
    public static func wallet(person: String, vouchers: [Voucher], programme: Programme, now: Instant)
        -> GatewayResponse
    {
        var w = JSONWriter(capacity: 128 + vouchers.count * 320)
        w.beginObject()
        w.field("person", person)
        w.beginArray("vouchers")
        for v in vouchers.sorted(by: { ($0.claimedAt, $0.id) > ($1.claimedAt, $1.id) }) {
            w.beginObject()
            voucherFields(v, pool: programme.pool(id: v.pool), programme: programme, now: now, into: &w)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return GatewayResponse(status: 200, body: w.bytes)
    }

    /// The answer to a redemption.
    public static func redemption(_ outcome: RedemptionOutcome, request r: RedemptionRequest) -> GatewayResponse {
        switch outcome {
        case .redeemed(let amount, let discount, let due, let replayed):
            var w = JSONWriter(capacity: 192)
            w.beginObject()
            w.field("voucher", r.voucherID)
            w.field("order", r.order)
            w.field("amount_fen", amount)
            w.field("discount_fen", discount)
            w.field("due_fen", due)
            w.field("replayed", replayed)
            w.endObject()
            return GatewayResponse(status: 200, body: w.bytes)
        case .refused(let refusal):
            return .error(code: refusal.rawValue, status: refusal.status, refusal.message) { w in
                if refusal == .belowThreshold { w.field("threshold_fen", r.pool.thresholdFen) }
                if refusal == .usageLimit, let limit = r.pool.useLimitPerProgramme { w.field("limit", limit) }
            }
        }
    }

    /// The answer to a payment-code request: 201 with the code, or the voucher's refusal.
    public static func paymentCode(_ outcome: PaymentCodeOutcome, request r: PaymentCodeRequest, programme: Programme)
        -> GatewayResponse
    {
        switch outcome {
        case .issued:
            var w = JSONWriter(capacity: 192)
            w.beginObject()
            w.field("payment_code", r.code.text)
            w.field("voucher", r.voucherID)
            if let m = r.merchant { w.field("merchant", m) } else { w.nullField("merchant") }
            w.field("expires_at", programme.calendar.iso8601(r.expiresAt))
            w.field("expires_in", Int(PaymentCode.lifetimeMilliseconds / 1000))
            w.endObject()
            return GatewayResponse(status: 201, body: w.bytes)
        case .refused(let refusal):
            return .error(code: refusal.rawValue, status: refusal.status, refusal.message)
        case .codeTaken:
            return .error(.internalError, "no payment code could be drawn; retry")
        }
    }

    /// The answer to a reversal.
    public static func reversal(_ outcome: ReversalOutcome, voucher: String, order: String) -> GatewayResponse {
        switch outcome {
        case .reversed(let replayed):
            var w = JSONWriter(capacity: 128)
            w.beginObject()
            w.field("voucher", voucher)
            w.field("order", order)
            w.field("reversed", true)
            w.field("replayed", replayed)
            w.endObject()
            return GatewayResponse(status: 200, body: w.bytes)
        case .unknownOrder:
            return .error(.unknownOrder, "no redemption of this voucher under this order id")
        case .expired:
            return .error(
                code: RedemptionRefusal.expired.rawValue, status: 409, "the voucher has expired; it stays used")
        }
    }

    /// `/healthz`: `ok` when the gateway can serve claims (every loop's Redis link, the
    /// programme checked), `degraded` with the reason otherwise; `redis` is this loop's link.
    public static func health(
        ready: Bool, redisUp: Bool, reason: String? = nil, programme: Programme, version: Int? = nil, now: Instant
    ) -> GatewayResponse {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.field("status", ready ? "ok" : "degraded")
        w.field("redis", redisUp ? "up" : "down")
        if !ready, let reason { w.field("reason", reason) }
        w.field("programme", programme.id)
        if let version { w.field("programme_version", version) }
        w.field("now", programme.calendar.iso8601(now))
        w.endObject()
        return GatewayResponse(status: ready ? 200 : 503, body: w.bytes)
    }
}

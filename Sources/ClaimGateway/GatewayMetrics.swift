import ClaimCore
import ClaimPOSIX
import CoreMetrics
import Prometheus

/// The gateway's metrics, through swift-metrics into a Prometheus registry (`GET /metrics`).
/// Every handle is made once, at start-up, so no label string is built per request. Counters
/// are relaxed atomics; the histograms (claim latency, Redis round trip, pipeline depth,
/// claims per call) are the loop's own (`LoopHistogram`: no lock, no cache line another loop
/// writes), summed into the exposition by `LoopHistograms`. loadtest/metrics-cost.sh measures
/// what metrics cost in claims/s; RESULTS.md has the figures. Pools are labelled by their seed
/// index, so a client sending made-up pool ids cannot grow the label set.
final class GatewayMetrics {
    /// What a claim request ended as, for `claimgate_claims_total{pool,outcome}`.
    enum ClaimResult: Int, CaseIterable {
        case granted, replayed, soldOut, limitReached, notOpen, closed, notEligible, paused
        case unauthorized, unknownPool, badRequest, rateLimited, redisUnavailable, outcomeUnknown, internalError

        var label: String {
            switch self {
            case .granted: "granted"
            case .replayed: "replayed"
            case .soldOut: "sold_out"
            case .limitReached: "limit_reached"
            case .notOpen: "not_open"
            case .closed: "closed"
            case .notEligible: "not_eligible"
            case .paused: "paused"
            case .unauthorized: "unauthorized"
            case .unknownPool: "unknown_pool"
            case .badRequest: "bad_request"
            case .rateLimited: "rate_limited"
            case .redisUnavailable: "redis_unavailable"
            case .outcomeUnknown: "outcome_unknown"
            case .internalError: "internal_error"
            }
        }

        init(_ outcome: ClaimOutcome) {
            switch outcome {
            case .granted(_, _, let replayed): self = replayed ? .replayed : .granted
            case .soldOut: self = .soldOut
            case .limitReached: self = .limitReached
            case .notOpen: self = .notOpen
            case .closed: self = .closed
            case .notEligible: self = .notEligible
            case .paused: self = .paused
            }
        }
    }

    /// Redemptions, reversals and the payment codes residents ask for, for
    /// `claimgate_redemptions_total{kind,outcome}`.
    enum RedemptionKind: Int, CaseIterable {
        case redeem, reverse, paymentCode

        var label: String {
            switch self {
            case .redeem: "redeem"
            case .reverse: "reverse"
            case .paymentCode: "payment_code"
            }
        }
    }
    /// What a redemption's answer said: done (200), replayed (the same order again), refused
    /// (4xx), unavailable (503: never reached Redis), outcome_unknown (504), error (500).
    static let redemptionOutcomes = ["done", "replayed", "refused", "unavailable", "outcome_unknown", "error"]

    /// Nil when metrics are off (`claimgate serve --no-metrics`): handles are no-ops.
    let registry: PrometheusCollectorRegistry?
    /// [pool index][result]; the last row is for requests naming no known pool.
    private let claims: [[CoreMetrics.Counter]]
    /// The loop's histograms, nil when metrics are off.
    private let histograms: LoopHistograms?
    private let claimLatency: LoopHistogram?
    let redisRoundTrip: LoopHistogram?
    /// Commands per write to Redis: how much the pipeline batches.
    let pipelineDepth: LoopHistogram?
    /// Claims per `claim.lua` call: the bigger, the less Redis time per claim (RESULTS.md).
    let claimsPerCall: LoopHistogram?
    /// Up and down by each loop (a gauge set by several loops would show only the last).
    let openConnections: CoreMetrics.Meter
    let soldOutShortCircuit: CoreMetrics.Counter
    let limitReachedShortCircuit: CoreMetrics.Counter
    let redisErrors: CoreMetrics.Counter
    /// Writes answered after `WAIT` saw fewer replicas than asked (`--wait-replicas`).
    let replicationShort: CoreMetrics.Counter
    let requests: CoreMetrics.Counter
    /// Refusals by the abuse limits, by scope: person, address, connections.
    let rateLimitedPerson: CoreMetrics.Counter
    let rateLimitedAddress: CoreMetrics.Counter
    let rateLimitedConnections: CoreMetrics.Counter
    /// Resident tokens answered from a loop's cache, verified afresh, and refused
    /// (`claimgate_token_checks_total{result}`): the cache's hit rate, and what the crowd costs.
    let tokensCached: CoreMetrics.Counter
    let tokensVerified: CoreMetrics.Counter
    let tokensRefused: CoreMetrics.Counter
    /// Tokens tapped before a window opened, verified on the loop's idle-priority thread
    /// (`ahead`), found not genuine or not alive then (`ahead_refused`), or not handed over
    /// because the thread's queue was full or the thread was taking from it at that instant
    /// (`ahead_dropped`: offered again at the next tap, else verified at the claim).
    let tokensAhead: CoreMetrics.Counter
    /// Tokens another loop verified, kept in this loop's cache (`TokenShares`).
    let tokensShared: CoreMetrics.Counter
    let tokensAheadRefused: CoreMetrics.Counter
    let tokensAheadDropped: CoreMetrics.Counter
    /// Restocks heard on the restock channel (`RestockListener`).
    let restocksHeard: CoreMetrics.Counter
    /// Times accepting paused because `accept` failed (out of descriptors: `AcceptPause`).
    let acceptPaused: CoreMetrics.Counter
    /// Progress reads sent to Redis (`ProgressEndpoint`): one per pool per refresh at most.
    let progressReads: CoreMetrics.Counter
    /// Progress polls answered from the loop's view without Redis.
    let progressFromView: CoreMetrics.Counter
    /// [kind][outcome index in `redemptionOutcomes`].
    private let redemptions: [[CoreMetrics.Counter]]
    /// Loops serving, and loops whose Redis link is up (each loop adds and removes its own).
    let loops: CoreMetrics.Meter
    let redisLinksUp: CoreMetrics.Meter
    /// 1 when every loop of the gateway has its Redis link (`LoopReadiness`), 0 otherwise.
    let redisUp: CoreMetrics.Gauge
    /// Per pool: vouchers left in the current window as last heard from Redis (a grant's
    /// answer, a progress read; 0 on sold_out), and whether an operator paused it.
    private let poolLeft: [CoreMetrics.Gauge]
    /// Per pool: released and granted in the current window, from progress reads.
    private let poolReleased: [CoreMetrics.Gauge]
    private let poolGranted: [CoreMetrics.Gauge]
    private let poolPaused: [CoreMetrics.Gauge]
    /// What this loop last set each pool's pause gauge to: a grant clears it only if it was set.
    private var pausedShown: [Bool]

    init(
        prometheus: PrometheusMetricsFactory?, histograms: LoopHistograms, pools: [Pool], programmeVersion: Int? = nil
    ) {
        let factory: any MetricsFactory
        if let prometheus {
            factory = prometheus
            registry = prometheus.registry
        } else {
            factory = NOOPMetricsHandler.instance
            registry = nil
        }
        let labels = pools.map(\.id) + ["_unknown"]
        claims = labels.map { pool in
            ClaimResult.allCases.map { result in
                CoreMetrics.Counter(
                    label: "claimgate_claims_total", dimensions: [("pool", pool), ("outcome", result.label)],
                    factory: factory)
            }
        }
        let shared = prometheus == nil ? nil : histograms
        self.histograms = shared
        claimLatency = shared?.make("claimgate_claim_seconds", .duration, bounds: Self.fastNanoseconds)
        redisRoundTrip = shared?.make("claimgate_redis_round_trip_seconds", .duration, bounds: Self.fastNanoseconds)
        pipelineDepth = shared?.make(
            "claimgate_redis_pipeline_depth", .value, bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
        claimsPerCall = shared?.make("claimgate_redis_claims_per_call", .value, bounds: [1, 2, 4, 8, 16, 32, 64])
        openConnections = CoreMetrics.Meter(label: "claimgate_open_connections", factory: factory)
        soldOutShortCircuit = CoreMetrics.Counter(label: "claimgate_sold_out_short_circuit_total", factory: factory)
        limitReachedShortCircuit = CoreMetrics.Counter(
            label: "claimgate_limit_reached_short_circuit_total", factory: factory)
        redisErrors = CoreMetrics.Counter(label: "claimgate_redis_errors_total", factory: factory)
        replicationShort = CoreMetrics.Counter(label: "claimgate_replication_short_total", factory: factory)
        requests = CoreMetrics.Counter(label: "claimgate_http_requests_total", factory: factory)
        func limited(_ scope: String) -> CoreMetrics.Counter {
            CoreMetrics.Counter(label: "claimgate_rate_limited_total", dimensions: [("scope", scope)], factory: factory)
        }
        rateLimitedPerson = limited("person")
        rateLimitedAddress = limited("address")
        rateLimitedConnections = limited("connections")
        func tokens(_ result: String) -> CoreMetrics.Counter {
            CoreMetrics.Counter(
                label: "claimgate_token_checks_total", dimensions: [("result", result)], factory: factory)
        }
        tokensCached = tokens("cached")
        tokensVerified = tokens("verified")
        tokensRefused = tokens("refused")
        tokensAhead = tokens("ahead")
        tokensShared = tokens("shared")
        tokensAheadRefused = tokens("ahead_refused")
        tokensAheadDropped = tokens("ahead_dropped")
        restocksHeard = CoreMetrics.Counter(label: "claimgate_restocks_heard_total", factory: factory)
        acceptPaused = CoreMetrics.Counter(label: "claimgate_accept_paused_total", factory: factory)
        progressReads = CoreMetrics.Counter(label: "claimgate_progress_reads_total", factory: factory)
        progressFromView = CoreMetrics.Counter(label: "claimgate_progress_from_view_total", factory: factory)
        redemptions = RedemptionKind.allCases.map { kind in
            Self.redemptionOutcomes.map {
                CoreMetrics.Counter(
                    label: "claimgate_redemptions_total", dimensions: [("kind", kind.label), ("outcome", $0)],
                    factory: factory)
            }
        }
        loops = CoreMetrics.Meter(label: "claimgate_loops", factory: factory)
        redisLinksUp = CoreMetrics.Meter(label: "claimgate_redis_links_up", factory: factory)
        redisUp = CoreMetrics.Gauge(label: "claimgate_redis_up", factory: factory)
        poolLeft = pools.map {
            CoreMetrics.Gauge(label: "claimgate_pool_left", dimensions: [("pool", $0.id)], factory: factory)
        }
        poolReleased = pools.map {
            CoreMetrics.Gauge(label: "claimgate_pool_released", dimensions: [("pool", $0.id)], factory: factory)
        }
        poolGranted = pools.map {
            CoreMetrics.Gauge(label: "claimgate_pool_granted", dimensions: [("pool", $0.id)], factory: factory)
        }
        poolPaused = pools.map {
            CoreMetrics.Gauge(label: "claimgate_pool_paused", dimensions: [("pool", $0.id)], factory: factory)
        }
        pausedShown = pools.map { _ in false }
        CoreMetrics.Gauge(label: "claimgate_build_info", dimensions: [("version", BuildInfo.version)], factory: factory)
            .record(1)
        CoreMetrics.Gauge(label: "claimgate_programme_version", factory: factory).record(programmeVersion ?? 0)
    }

    /// Claims answer in microseconds to milliseconds: buckets from 50 us to 1 s (nanoseconds).
    private static let fastNanoseconds: [Int64] = [
        50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 1_000_000_000,
    ]

    /// Counts a redemption's or reversal's answer.
    func redemption(_ kind: RedemptionKind, status: Int, replayed: Bool) {
        let outcome =
            switch status {
            case 200..<300: replayed ? 1 : 0
            case 503: 3
            case 504: 4
            case 500...: 5
            default: 2
            }
        redemptions[kind.rawValue][outcome].increment()
    }

    /// What Redis last said is left in pool `index`'s window.
    func poolLeft(_ index: Int, _ left: Int) { poolLeft[index].record(Double(left)) }

    /// A progress read's counts for pool `index`'s window.
    func poolCounts(_ index: Int, released: Int, left: Int, granted: Int) {
        poolReleased[index].record(Double(released))
        poolGranted[index].record(Double(granted))
        poolLeft[index].record(Double(left))
    }

    /// Whether pool `index` is paused, as a claim's answer or a progress read showed it.
    func poolPaused(_ index: Int, _ paused: Bool) {
        guard pausedShown[index] != paused else { return }
        pausedShown[index] = paused
        poolPaused[index].record(paused ? 1 : 0)
    }

    /// Counts one claim answer for pool `index` (nil: no known pool) and its latency.
    func claim(_ result: ClaimResult, pool index: Int?, nanoseconds: UInt64) {
        claims[index ?? (claims.count - 1)][result.rawValue].increment()
        claimLatency?.record(Int64(clamping: nanoseconds))
    }

    /// The exposition text for `GET /metrics`, nil when metrics are off. swift-metrics has no
    /// help text, so each metric's `# HELP` line is added here, before its `# TYPE` line
    /// (`promtool check metrics` asks for one on every metric).
    func exposition() -> [UInt8]? {
        guard let registry else { return nil }
        var raw: [UInt8] = []
        raw.reserveCapacity(16 * 1024)
        registry.emit(into: &raw)
        histograms?.emit(into: &raw)
        var out = ""
        out.reserveCapacity(raw.count + 2048)
        for line in String(decoding: raw, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first,
                let help = Self.help[String(name)]
            {
                out += "# HELP \(name) \(help)\n"
            }
            out += line
            out += "\n"
        }
        if out.hasSuffix("\n\n") { out.removeLast() }
        if let process = ProcessStats.current() { out += process.exposition }
        return Array(out.utf8)
    }

    /// What each metric counts, for its `# HELP` line.
    static let help: [String: String] = [
        "claimgate_claims_total":
            "Claim answers by pool and outcome (granted, replayed, sold_out, ..., outcome_unknown).",
        "claimgate_claim_seconds": "Time from a claim's arrival to its answer.",
        "claimgate_redis_round_trip_seconds": "Time from a Redis command's send to its reply.",
        "claimgate_redis_pipeline_depth": "Commands written to one Redis node in one flush.",
        "claimgate_redis_claims_per_call": "Claims decided per claim.lua call.",
        "claimgate_open_connections": "Open client connections.",
        "claimgate_sold_out_short_circuit_total": "Claims answered sold_out by the gateway itself, without Redis.",
        "claimgate_limit_reached_short_circuit_total":
            "Claims answered limit_reached by the gateway itself, without Redis: the person's limit was reached earlier in the window.",
        "claimgate_redis_errors_total": "Failed Redis calls, links and slot maps.",
        "claimgate_replication_short_total": "Writes answered after a WAIT that reached fewer replicas than asked.",
        "claimgate_http_requests_total": "HTTP requests read.",
        "claimgate_rate_limited_total": "Refusals by the abuse limits, by scope (person, address, connections).",
        "claimgate_token_checks_total":
            "Resident tokens checked: answered from the loop's cache of verified tokens, verified afresh (a signature check), refused.",
        "claimgate_restocks_heard_total": "Restocks heard on the cg:restock channel.",
        "claimgate_accept_paused_total": "Times accepting paused because accept failed (out of descriptors).",
        "claimgate_progress_reads_total": "Pool progress reads sent to Redis (at most one per pool per refresh).",
        "claimgate_progress_from_view_total": "Pool progress polls answered from the loop's view, without Redis.",
        "claimgate_redemptions_total":
            "Redemption and reversal answers by kind and outcome (done, replayed, refused, unavailable, outcome_unknown, error).",
        "claimgate_loops": "Event loops serving.",
        "claimgate_redis_up": "1 when every event loop of the gateway has its Redis link, else 0.",
        "claimgate_redis_links_up": "Event loops whose Redis link is up (below claimgate_loops: claims get 503).",
        "claimgate_pool_left": "Vouchers left in the pool's current window, as last heard from Redis by any loop.",
        "claimgate_pool_released": "Vouchers released in the pool's current window, as last read (a progress poll).",
        "claimgate_pool_granted": "Vouchers granted in the pool's current window, as last read (a progress poll).",
        "claimgate_pool_paused": "1 while operators have paused the pool (claimctl pause), as last seen.",
        "claimgate_build_info": "The gateway's version, as a label; always 1.",
        "claimgate_programme_version": "The programme version served, as loaded in Redis (0: a seed file).",
    ]
}

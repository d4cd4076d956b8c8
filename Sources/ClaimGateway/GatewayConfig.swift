import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import Logging
import Prometheus

/// Everything one gateway event loop needs. `Sendable`: it is built on the main thread and
/// handed to the loop's thread.
public struct GatewayConfig: Sendable {
    /// A listening, non-blocking socket (`TCPSocket.listen`). The loop owns it from here on.
    public var listener: Int32
    public var redis: RedisEndpoint
    /// A Redis Cluster's seed nodes; empty: `redis` is a single Redis. With seeds, each loop
    /// learns the slot map and keeps one pipeline per master.
    public var clusterSeeds: [RedisEndpoint] = []
    public var programme: Programme
    /// The programme's version in Redis when it is served from there (`ProgrammeVersions`);
    /// nil for a seed file.
    public var programmeVersion: Int?
    /// The identity provider's public keys (resident and merchant tokens; several during a
    /// rotation), or a development HS256 keyring.
    public var tokenKeys: TokenKeySet
    /// Where reloaded token keys arrive (`claimgate serve --jwks`); nil: `tokenKeys` for good.
    public var tokenKeysBox: TokenKeysBox?
    /// Resident tokens each loop keeps verified (`VerifiedTokenCache`; 0: none). Sized for a
    /// crowd of about 45,000 people a loop: at 65,536 slots (sets of four) such a crowd lost 7-15%
    /// of its verified tokens to full sets and had them verified again (RESULTS.md, sixth session).
    public var tokenCacheEntries = 131_072
    /// Each loop hands the resident tokens it verifies to the others' caches (`TokenShares`), so
    /// a resident's retap on a connection of another loop is not verified again.
    public var shareTokens = true
    /// People each loop keeps as holding their limit in a pool's window, so their further taps
    /// are answered `limit_reached` without Redis (`ReachedLimits`; 0: every tap goes to Redis).
    /// A window's grants at most: 131,072 is a few MiB a loop.
    public var reachedLimitEntries = 131_072
    /// Bytes each loop keeps for tokens heard before a release opened, waiting for its
    /// `TokenCheckWorker` (0: no worker). 4 MiB holds about 11,000 ES256 tokens.
    public var tokenCheckAheadBytes = 4 << 20
    /// How far the provider's clock may be from ours when `exp` and `nbf` are checked.
    public var tokenClockSkewMilliseconds: Int64 = 30_000
    /// The operators' public keys for store QR codes (`--store-qr-jwks`; an HS256 secret only
    /// under `--dev-hs256`); nil refuses every in-store claim.
    public var storeQRKeys: TokenKeySet?
    public var clock: any ClaimClock
    /// The loop's monotonic clock: timeouts, timers, rate limits, latencies.
    public var loopClock: any LoopClock = SystemLoopClock()
    /// Descriptors whose readability means "stop gracefully" (a signalfd, an eventfd).
    public var stopDescriptors: [Int32]
    public var maxConnections = 20_000
    /// Pipelined requests answered-but-unsent per connection before reading pauses.
    public var maxInFlightPerConnection = 64
    /// Requests waiting on Redis (each claim of a batch counts) before new ones are refused
    /// with 503.
    public var maxPendingRedisCalls = 100_000
    /// A Redis reply later than this marks the connection dead (claims get 503, reconnect).
    public var redisTimeoutMilliseconds: UInt64 = 3000
    public var redisReconnectMilliseconds: UInt64 = 500
    /// Requests per person (claims and wallet reads), checked after the token, before Redis;
    /// nil: no limit.
    public var personRate: RateLimit? = RateLimit(burst: 10, perSecond: 5)
    /// Requests per client address, before anything else; nil: no limit (the default: a city's
    /// carrier-grade NAT puts many residents behind one address).
    public var addressRate: RateLimit?
    /// Open connections per client address; nil: no limit.
    public var maxConnectionsPerAddress: Int?
    /// A keep-alive connection with nothing in flight is closed after this long without bytes.
    public var idleTimeoutMilliseconds: UInt64 = 60_000
    /// A request whose head or body is still incomplete after this long gets 408 and the
    /// connection is closed (slowloris).
    public var requestTimeoutMilliseconds: UInt64 = 10_000
    /// How long a graceful stop waits for in-flight answers.
    public var drainTimeoutMilliseconds: UInt64 = 2000
    /// How long a window answered `sold_out` by Redis is answered locally before Redis is
    /// asked again whether an operator restocked it.
    public var soldOutRecheckMilliseconds: UInt64 = 500
    /// How old this loop's view of a pool's progress may be before a poll reads Redis again:
    /// a poll storm at 10:00 costs one read per pool per interval, not one per poll.
    public var progressRefreshMilliseconds: UInt64 = 250
    /// Web origins whose pages may call the API from a browser.
    public var cors = CORSPolicy.none
    /// The loops of one gateway, counted ready by their Redis links (`GatewayLoops` makes it;
    /// nil for a loop on its own: its own link is its readiness).
    public var readiness: LoopReadiness?
    /// The channels that carry verified resident tokens between the loops, and this loop's
    /// place among them (`GatewayLoops` sets both; nil: a loop on its own).
    public var tokenShares: TokenShares?
    public var loopIndex = 0
    /// Claims wait for this check (nil: none, as in tests that serve their own programme).
    public var programmeCheck: ProgrammeCheck?
    /// Listen for restocks on this channel (`RestockListener`); nil: rely on the recheck alone.
    public var restockChannel: String? = PoolKeys.restockChannel
    /// With a replicated Redis (a cluster's replicas): each write's answer waits until this
    /// many replicas have it (`WAIT`, sent once per pipelined batch: group commit), so a
    /// failover cannot lose an acknowledged voucher. 0: answer as soon as the master has it.
    public var waitReplicas = 0
    public var waitTimeoutMilliseconds = 100
    /// One line per operator-relevant event (start, stop, Redis faults); never per claim at the
    /// default level.
    public var logger: Logger
    /// Where the loop's metrics go (`GET /metrics` shows the factory's registry); nil: off.
    public var metrics: PrometheusMetricsFactory?
    /// The loops' histograms, summed into `GET /metrics` (shared by every copy of this
    /// configuration, as the registry is).
    public var histograms = LoopHistograms()

    /// What the loop's Redis client is told.
    var redisSettings: RedisLoopClientSettings {
        var s = RedisLoopClientSettings(target: clusterSeeds.isEmpty ? .single(redis) : .cluster(clusterSeeds))
        s.timeoutMilliseconds = redisTimeoutMilliseconds
        s.reconnectMilliseconds = redisReconnectMilliseconds
        s.waitReplicas = waitReplicas
        s.waitTimeoutMilliseconds = waitTimeoutMilliseconds
        return s
    }

    /// What the loop's HTTP server is told.
    var httpSettings: HTTPServerSettings {
        var s = HTTPServerSettings()
        s.maxConnections = maxConnections
        s.maxConnectionsPerAddress = maxConnectionsPerAddress
        s.maxInFlightPerConnection = maxInFlightPerConnection
        s.fields = RequestFields.names
        s.answerHeaderSets = cors.answerHeaderSets
        s.timeouts = ConnectionTimeouts(
            requestMilliseconds: requestTimeoutMilliseconds, idleMilliseconds: idleTimeoutMilliseconds)
        return s
    }

    public init(
        listener: Int32, redis: RedisEndpoint, programme: Programme, tokenKeys: TokenKeySet, clock: any ClaimClock,
        stopDescriptors: [Int32], logger: Logger = Logger(label: "claimgate"),
        metrics: PrometheusMetricsFactory? = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
    ) {
        self.listener = listener
        self.redis = redis
        self.programme = programme
        self.tokenKeys = tokenKeys
        self.storeQRKeys = nil
        self.clock = clock
        self.stopDescriptors = stopDescriptors
        self.logger = logger
        self.metrics = metrics
    }

    /// One key, no rotation: tests and single-secret deployments.
    public init(
        listener: Int32, redis: RedisEndpoint, programme: Programme, tokenSecret: [UInt8], clock: any ClaimClock,
        stopDescriptors: [Int32], logger: Logger = Logger(label: "claimgate"),
        metrics: PrometheusMetricsFactory? = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
    ) {
        self.init(
            listener: listener, redis: redis, programme: programme,
            tokenKeys: TokenKeyring(secret: tokenSecret).verificationKeys,
            clock: clock, stopDescriptors: stopDescriptors, logger: logger, metrics: metrics)
    }
}

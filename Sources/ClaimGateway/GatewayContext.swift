import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import Logging

/// What every endpoint of one loop shares: the programme, the loop and its clocks, the HTTP
/// server answers go to, the Redis client calls go to, metrics and the log. Endpoints hold it
/// and never each other. Not `Sendable`: one loop's thread owns it.
final class GatewayContext {
    let config: GatewayConfig
    let programme: Programme
    let loop: EventLoop
    let metrics: GatewayMetrics
    let logger: Logger
    let redis: RedisLoopClient
    /// Set once, right after the server is made (it needs the application, which needs this).
    unowned(unsafe) var http: HTTPServer!

    init(config: GatewayConfig, loop: EventLoop, metrics: GatewayMetrics, redis: RedisLoopClient) {
        self.config = config
        self.programme = config.programme
        self.loop = loop
        self.metrics = metrics
        self.logger = config.logger
        self.redis = redis
    }

    /// The programme's clock (`--now` shifts it).
    func now() -> Instant { config.clock.now() }

    /// Answers `slot` with `response`.
    func respond(_ slot: HTTPAnswerSlot, _ response: GatewayResponse, omitBody: Bool = false) {
        http.respond(
            slot, status: response.status, body: response.body, headers: response.headers,
            contentType: response.contentType, omitBody: omitBody)
    }

    /// Why Redis is refused, when it is for its settings (`RedisServerSettings`): said in every
    /// 503 and in `/healthz` until a link connects to a Redis set right.
    var redisProblem: String?

    /// The 503 for a call that never reached Redis, with the reason when one is known.
    func unavailable() -> GatewayResponse { .redisUnavailable(reason: redisProblem) }

    /// Sends `owner`'s read for each of `tags` to the node serving `slot(tag)`; a tag no node
    /// takes fails at once as not run (a read in parts answers 503 at its first failure).
    func sendReads(_ owner: any RedisCallOwner, tags: some Sequence<Int>, slot: (Int) -> Int) {
        for tag in tags where !redis.send(slot: slot(tag), shape: .read, owner: owner, tag: tag) {
            owner.failed(tag: tag, .notRun("no Redis node serves the pool now"))
        }
    }

    /// Claims gathered in batches not sent yet (`ClaimBatcher` keeps it).
    var batchedClaims = 0

    /// Requests waiting on Redis: queued in a batch, or sent.
    var waitingOnRedis: Int { batchedClaims + redis.pendingRequests }

    /// False when Redis is down or too far behind (`GatewayConfig.maxPendingRedisCalls`): the
    /// caller answers 503 at once rather than queueing without bound.
    func admitRedisCall() -> Bool { redis.isUsable && waitingOnRedis < config.maxPendingRedisCalls }
}

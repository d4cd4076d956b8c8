import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import Logging

/// One event loop's gateway, put together: the `EventLoop`, the `HTTPServer` on the loop's
/// listening socket, the `ClaimService` it serves and the one `RedisLoopClient` behind it, and
/// a `RedisSubscription` to restocks for the `RestockListener`. Each
/// iteration ends, before the loop sleeps, with the HTTP answers written, the claim batches
/// sent and the Redis links flushed, in that order. A stop descriptor starts a graceful drain.
///
/// Not `Sendable`: create it on the thread that runs it.
public final class GatewayServer: EventHandler, RedisLoopClientObserver {
    private let config: GatewayConfig
    private let loop: EventLoop
    private let metrics: GatewayMetrics
    private let context: GatewayContext
    private let service: ClaimService
    private let http: HTTPServer
    private let redis: RedisLoopClient
    private let restockListener: RestockListener
    private let restocks: RedisSubscription?
    private var drainDeadline: UInt64?
    /// This loop's Redis link counted in `claimgate_redis_links_up`.
    private var linkUp = false
    private var stopRegistrations: [EventLoop.Registration] = []
    /// Fired when reloaded keys wait in `config.tokenKeysBox`.
    private let keysWakeup: WakeupSignal?
    /// The generations of the keys this loop took (0: those of its configuration).
    private var keysGeneration = 0
    private var storeQRGeneration = 0

    public init(config: GatewayConfig) throws(POSIXError) {
        self.config = config
        loop = try EventLoop(clock: config.loopClock)
        metrics = GatewayMetrics(
            prometheus: config.metrics, histograms: config.histograms, pools: config.programme.pools,
            programmeVersion: config.programmeVersion)
        redis = RedisLoopClient(settings: config.redisSettings, loop: loop)
        context = GatewayContext(config: config, loop: loop, metrics: metrics, redis: redis)
        service = try ClaimService(context: context)
        http = try HTTPServer(
            listener: config.listener, loop: loop, settings: config.httpSettings, application: service)
        context.http = http
        let listener = RestockListener(context: context, answers: service.answers)
        restockListener = listener
        let loop = loop
        restocks = config.restockChannel.map {
            RedisSubscription(
                target: config.redisSettings.target, channel: $0, loop: loop,
                reconnectMilliseconds: config.redisReconnectMilliseconds, subscriber: listener)
        }
        keysWakeup = config.tokenKeysBox == nil ? nil : try WakeupSignal()
        redis.observer = self
        for fd in config.stopDescriptors {
            stopRegistrations.append(try loop.register(fd, .readable, handler: self, tag: 0))
        }
        if let box = config.tokenKeysBox, let wakeup = keysWakeup {
            _ = try loop.register(wakeup.fd, .readable, handler: self, tag: Self.keysTag)
            box.join(wakeup)
            // Keys published between the config's copy and the join are taken now.
            takeKeys()
        }
        loop.addBeforeSleep { [unowned(unsafe) self] in
            http.flush()
            service.batcher.sendBatches()
            redis.flush()
        }
    }

    private var isIdle: Bool { context.waitingOnRedis == 0 && http.connectionCount == 0 }

    /// Serves until a stop descriptor fires, then drains and returns.
    public func run() throws(POSIXError) {
        config.logger.info(
            "serving",
            metadata: [
                "programme": "\(config.programme.id)", "pools": "\(config.programme.pools.count)",
                "redis": "\(config.redis)",
            ])
        metrics.loops.increment()
        defer {
            metrics.loops.decrement()
            // Stopping is not Redis going down: `claimgate_redis_up` is left to the loops that
            // serve on (a programme reload's new loops), so no alert fires for a reload.
            linkDown(stopping: true)
        }
        redis.start()
        restocks?.start()
        try loop.run {
            guard let deadline = drainDeadline else { return false }
            return isIdle || loop.now >= deadline
        }
        http.closeAll()
        restocks?.stop()
        service.stop()
        redis.close()
        if let keysWakeup { config.tokenKeysBox?.leave(keysWakeup) }
        config.logger.info("stopped")
    }

    private static let keysTag: UInt64 = 1

    /// New keys in the box: verify with them from the next request (each set only if it changed).
    private func takeKeys() {
        guard let box = config.tokenKeysBox else { return }
        let keys = box.current
        if keys.tokensGeneration != keysGeneration {
            keysGeneration = keys.tokensGeneration
            service.replaceKeys(keys.tokens, generation: keys.tokensGeneration)
            config.logger.debug("token keys taken", metadata: ["keys": "\(keys.tokens.ids.joined(separator: ","))"])
        }
        if keys.storeQRGeneration != storeQRGeneration {
            storeQRGeneration = keys.storeQRGeneration
            service.replaceStoreQRKeys(keys.storeQR)
            config.logger.debug(
                "store QR keys taken", metadata: ["keys": "\(keys.storeQR?.ids.joined(separator: ",") ?? "")"])
        }
    }

    /// A stop descriptor fired, or new token keys were published.
    public func handleEvents(_ events: EpollEvents, tag: UInt64) {
        if tag == Self.keysTag {
            _ = keysWakeup?.drain()
            return takeKeys()
        }
        guard drainDeadline == nil else { return }
        config.logger.info(
            "stop requested: draining",
            metadata: ["connections": "\(http.connectionCount)", "redis_calls": "\(context.waitingOnRedis)"])
        drainDeadline = loop.now + config.drainTimeoutMilliseconds * 1_000_000
        // Level-triggered and shared with other loops: stop watching, or it would fire forever.
        for r in stopRegistrations { loop.unregister(r) }
        stopRegistrations = []
        http.beginDrain()
    }

    // MARK: RedisLoopClientObserver

    public func redisRoundTrip(nanoseconds: UInt64) {
        metrics.redisRoundTrip?.record(Int64(clamping: nanoseconds))
    }
    public func redisPipelineDepth(_ commands: Int) { metrics.pipelineDepth?.record(Int64(commands)) }
    public func redisError() { metrics.redisErrors.increment() }
    public func redisReplicationShort(writes: Int) { metrics.replicationShort.increment(by: writes) }
    private func linkDown(stopping: Bool = false) {
        guard linkUp else { return }
        linkUp = false
        metrics.redisLinksUp.decrement()
        config.readiness?.linkDown()
        if !stopping { metrics.redisUp.record(0) }
    }

    public func redisConnected(_ endpoint: RedisEndpoint, unverified: String?) {
        context.redisProblem = nil
        service.answers.forgetReachedLimits()
        if !linkUp {
            linkUp = true
            metrics.redisLinksUp.increment()
            config.readiness?.linkUp()
            metrics.redisUp.record(config.readiness.map { $0.allReady ? 1 : 0 } ?? 1)
        }
        config.logger.info("redis connected", metadata: ["redis": "\(endpoint)"])
        if let unverified {
            config.logger.warning(
                "cannot check redis maxmemory-policy (allow INFO to the gateway's user: docs/trust.md)",
                metadata: ["redis": "\(endpoint)", "error": "\(unverified)"])
        }
    }
    public func redisMisconfigured(_ endpoint: RedisEndpoint, problem: String) {
        linkDown()
        // Checked again at every reconnect: logged when it starts or changes, not each time.
        guard context.redisProblem != problem else { return }
        context.redisProblem = problem
        config.logger.error(
            "redis refused: no claim is sent to it", metadata: ["redis": "\(endpoint)", "problem": "\(problem)"])
    }
    public func redisUnavailable(_ endpoint: RedisEndpoint, reason: String, failedCalls: Int, failuresInARow: Int) {
        linkDown()
        config.logger.warning(
            "redis unavailable; retrying",
            metadata: [
                "redis": "\(endpoint)", "reason": "\(reason)", "answered_503": "\(failedCalls)",
                "failures_in_a_row": "\(failuresInARow)",
            ])
    }
    public func redisSlotMap(_ map: ClusterSlotMap) {
        service.answers.forgetReachedLimits()
        config.logger.info(
            "cluster slot map", metadata: ["masters": "\(map.masters.map(\.description).joined(separator: ","))"])
    }
    public func redisSlotMapUnreadable(_ error: RedisError) {
        config.logger.warning("cluster slot map unreadable; retrying", metadata: ["error": "\(error)"])
    }
}

import ClaimPOSIX

/// What a `RedisSubscription` hands its owner.
public protocol RedisSubscriber: AnyObject {
    /// Subscribed (again): messages published while the connection was down are lost, so the
    /// owner catches up by other means (the gateway rechecks every sold-out mark).
    func subscribed(to endpoint: RedisEndpoint)
    /// One message on the channel.
    func message(_ payload: String)
    /// The subscription failed (reported on the first failure in a row and every 20th); it is
    /// tried again after the reconnect delay.
    func subscriptionFailed(_ endpoint: RedisEndpoint, reason: String, failuresInARow: Int)
}

/// One event loop's subscription to one Redis channel, on a connection of its own (a
/// subscribed connection takes no other command): `SUBSCRIBE` after the pipeline's
/// handshake (AUTH, SELECT, the settings check), messages handed to the subscriber, and a
/// reconnect on a timer when the connection fails, to the next endpoint in turn (a cluster
/// broadcasts `PUBLISH` to every node, so any node will do). Not `Sendable`: one loop owns it.
public final class RedisSubscription: EventHandler {
    private let endpoints: [RedisEndpoint]
    private let channel: String
    private let loop: EventLoop
    private let reconnectMilliseconds: UInt64
    // unowned(unsafe): the owner keeps the subscriber alive as long as the subscription.
    private unowned(unsafe) let subscriber: any RedisSubscriber
    private var next = 0
    private var pipeline: RedisPipeline?
    private var registration: EventLoop.Registration?
    private var interest: EpollEvents = []
    private var stopped = false
    private var failuresInARow = 0

    public init(
        target: RedisTarget, channel: String, loop: EventLoop, reconnectMilliseconds: UInt64,
        subscriber: any RedisSubscriber
    ) {
        switch target {
        case .single(let e): endpoints = [e]
        case .cluster(let seeds): endpoints = seeds
        }
        self.channel = channel
        self.loop = loop
        self.reconnectMilliseconds = reconnectMilliseconds
        self.subscriber = subscriber
    }

    /// Connects and subscribes (and keeps doing so after every failure until `stop`).
    public func start() { connect() }

    /// Drops the connection; no reconnect follows.
    public func stop() {
        stopped = true
        drop()
    }

    private func drop() {
        if let r = registration { loop.unregister(r) }
        registration = nil
        pipeline?.close()
        pipeline = nil
    }

    deinit { pipeline?.close() }

    private func connect() {
        let p = RedisPipeline(endpoint: endpoints[next % endpoints.count])
        next += 1
        do throws(RedisError) {
            try p.connect()
            p.enqueue([Array("SUBSCRIBE".utf8), Array(channel.utf8)])
            pipeline = p
            do {
                registration = try loop.register(p.fd, [.readable, .writable], handler: self, tag: 0)
            } catch { throw .connection("\(error)") }
            interest = [.readable, .writable]
        } catch {
            fail("\(error)")
        }
    }

    public func handleEvents(_ events: EpollEvents, tag: UInt64) {
        guard let p = pipeline else { return }
        do throws(RedisError) {
            if events.contains(.writable) || p.state == .connecting { try p.handleWritable() }
            if events.contains(.readable) {
                var refused: String?
                try p.handleReadable { reply in
                    if case .error(let m) = reply.owned() { refused = m } else { deliver(reply.owned(), from: p) }
                }
                if let refused { throw .server(refused) }
            }
            if events.contains(.error) || events.contains(.hangup) { throw .connection("hung up") }
            // The command behind the settings check goes out once the gate opens.
            try p.flush()
        } catch {
            return fail("\(error)")
        }
        let want: EpollEvents = p.wantsWritable ? [.readable, .writable] : .readable
        guard want != interest, let r = registration else { return }
        do { try loop.modify(r, want) } catch { return fail("\(error)") }
        interest = want
    }

    /// `["subscribe", channel, n]` once, then `["message", channel, payload]` for each publish.
    private func deliver(_ reply: RedisReply, from p: RedisPipeline) {
        guard let items = reply.array, items.count == 3, let kind = items[0].text else { return }
        switch kind {
        case "subscribe":
            failuresInARow = 0
            subscriber.subscribed(to: p.endpoint)
        case "message": if let payload = items[2].text { subscriber.message(payload) }
        default: return
        }
    }

    private func fail(_ reason: String) {
        let endpoint = pipeline?.endpoint ?? endpoints[(next + endpoints.count - 1) % endpoints.count]
        if failuresInARow % 20 == 0 {
            subscriber.subscriptionFailed(endpoint, reason: reason, failuresInARow: failuresInARow + 1)
        }
        failuresInARow += 1
        drop()
        guard !stopped else { return }
        // unowned(unsafe): the loop fires this only while the owner, which owns this, lives.
        loop.schedule(afterMilliseconds: reconnectMilliseconds) { [unowned(unsafe) self] in
            if pipeline == nil, !stopped { connect() }
        }
    }
}

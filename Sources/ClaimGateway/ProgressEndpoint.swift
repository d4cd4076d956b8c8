import ClaimCore
import ClaimHTTP
import ClaimRedis

/// `GET /v1/pools/{pool}` and `GET /v1/pools`: each pool's progress from this loop's own view.
/// A view is read from Redis (`ProgressRead`) at most once per `progressRefreshMilliseconds`
/// per pool, and never kept past the moment the pool's window opens or closes; polls that come
/// while a read is in flight wait on that read. So the 10:00 poll storm costs Redis one read per
/// pool per interval per loop, and each poll about what a pre-rendered answer costs.
///
/// Answers carry `Cache-Control: public, max-age=1`, a weak `ETag` of the counts (the
/// answer's own `server_time` is left out of it), and `If-None-Match` naming it gets
/// `304 Not Modified`. A failed read answers its waiters 503 and keeps no view.
final class ProgressEndpoint {
    private let context: GatewayContext
    /// Per pool: the last view read, nil before the first.
    private var views: [ProgressSnapshot?]
    /// Per pool: the polls waiting on a read in flight; nil when none is.
    private var waiting: [[ProgressPoll]?]
    private let refreshNanoseconds: UInt64

    init(context: GatewayContext) {
        self.context = context
        views = context.programme.pools.map { _ in nil }
        waiting = context.programme.pools.map { _ in nil }
        refreshNanoseconds = context.config.progressRefreshMilliseconds * 1_000_000
    }

    /// `GET /v1/pools/{pool}`.
    func handle(pool index: Int, request: HTTPRequestView, slot: HTTPAnswerSlot, now: Instant) {
        let ifNoneMatch = request.field(RequestFields.ifNoneMatch)
        if let view = views[index], view.isFresh(loopNow: context.loop.now, now: now) {
            context.metrics.progressFromView.increment()
            return answer(slot, view: view, ifNoneMatch: ifNoneMatch.map { Array($0) }, now: now)
        }
        let poll = ProgressPoll(slot: slot, ifNoneMatch: ifNoneMatch.map { Array($0) }, pool: index, reads: 1)
        if !wait(poll, on: index, now: now) { answerUnavailable(poll) }
    }

    /// `GET /v1/pools`: every pool, in the programme's order.
    func handleList(request: HTTPRequestView, slot: HTTPAnswerSlot, now: Instant) {
        let ifNoneMatch = request.field(RequestFields.ifNoneMatch).map { Array($0) }
        let loopNow = context.loop.now
        let stale = views.indices.filter { views[$0].map { !$0.isFresh(loopNow: loopNow, now: now) } ?? true }
        let poll = ProgressPoll(slot: slot, ifNoneMatch: ifNoneMatch, pool: nil, reads: stale.count)
        if stale.isEmpty {
            context.metrics.progressFromView.increment()
            return answerList(poll, now: now)
        }
        for index in stale where !wait(poll, on: index, now: now) { return answerUnavailable(poll) }
    }

    // MARK: reads

    /// Puts `poll` on pool `index`'s read, starting one if none is in flight (an ended pool's
    /// view is made at once: nothing in Redis changes it). False when Redis takes no call now.
    private func wait(_ poll: ProgressPoll, on index: Int, now: Instant) -> Bool {
        if waiting[index] != nil {
            waiting[index]?.append(poll)
            return true
        }
        let pool = context.programme.pools[index]
        let position = context.programme.position(of: pool, at: now)
        let freshUntil = context.loop.now + refreshNanoseconds
        switch position {
        case .ended:
            views[index] = ProgressSnapshot(
                pool: pool, position: position, counts: nil, pausedReason: nil, calendar: context.programme.calendar,
                freshUntil: freshUntil)
            settle(poll)
            return true
        case .open(let window), .upcoming(let window):
            guard context.admitRedisCall() else { return false }
            waiting[index] = [poll]
            context.metrics.progressReads.increment()
            let read = ProgressRead(
                pool: pool, index: index, position: position, window: window, now: now, freshUntil: freshUntil,
                calendar: context.programme.calendar, endpoint: self)
            // One HMGET per segment (tags 0..<K), and the pause (tag K).
            context.sendReads(read, tags: 0...pool.segmentCount, slot: read.redisSlot)
            return true
        }
    }

    /// A read is in: the pool's view, and the polls that waited on it (and the pool's gauges).
    func read(
        pool index: Int, counts: (released: Int, left: Int, granted: Int)?, paused: Bool, _ view: ProgressSnapshot
    ) {
        views[index] = view
        if let c = counts { context.metrics.poolCounts(index, released: c.released, left: c.left, granted: c.granted) }
        context.metrics.poolPaused(index, paused)
        let polls = waiting[index] ?? []
        waiting[index] = nil
        for poll in polls { settle(poll) }
    }

    /// A read failed: its waiters get `response`, or 503 when the call never got an answer.
    func readFailed(pool index: Int, _ response: GatewayResponse?) {
        let polls = waiting[index] ?? []
        waiting[index] = nil
        for poll in polls where !poll.answered {
            poll.answered = true
            context.respond(poll.slot, response ?? context.unavailable())
        }
    }

    /// One of `poll`'s reads is in; the last answers it.
    private func settle(_ poll: ProgressPoll) {
        poll.reads -= 1
        guard poll.reads == 0, !poll.answered else { return }
        poll.answered = true
        let now = context.now()
        if let index = poll.pool {
            guard let view = views[index] else { return context.respond(poll.slot, context.unavailable()) }
            answer(poll.slot, view: view, ifNoneMatch: poll.ifNoneMatch, now: now)
        } else {
            answerList(poll, now: now)
        }
    }

    private func answerUnavailable(_ poll: ProgressPoll) {
        guard !poll.answered else { return }
        poll.answered = true
        context.respond(poll.slot, context.unavailable())
    }

    // MARK: answers

    private func answer(_ slot: HTTPAnswerSlot, view: ProgressSnapshot, ifNoneMatch: [UInt8]?, now: Instant) {
        var body = view.fields
        closeWithServerTime(&body, now: now)
        respond(slot, body: body, tag: view.tag, ifNoneMatch: ifNoneMatch)
    }

    private func answerList(_ poll: ProgressPoll, now: Instant) {
        let programme = context.programme
        var w = JSONWriter(capacity: 128 + views.count * 420)
        w.beginObject()
        w.field("programme", programme.id)
        w.field("name", programme.name)
        w.endObject()
        var body = w.bytes
        body.removeLast()
        body.append(contentsOf: #","pools":["#.utf8)
        var tags: [UInt64] = []
        tags.reserveCapacity(views.count)
        for (i, view) in views.enumerated() {
            guard let view else { return context.respond(poll.slot, context.unavailable()) }
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += view.fields
            body.append(UInt8(ascii: "}"))
            tags.append(view.tag)
        }
        body.append(UInt8(ascii: "]"))
        closeWithServerTime(&body, now: now)
        let tag = tags.withUnsafeBytes { FNV1a.hash($0) }
        respond(poll.slot, body: body, tag: tag, ifNoneMatch: poll.ifNoneMatch)
    }

    /// Ends an object with the gateway's clock, so an app counts down to `opens_at` against it.
    private func closeWithServerTime(_ body: inout [UInt8], now: Instant) {
        body.append(contentsOf: #","server_time":""#.utf8)
        context.programme.calendar.appendISO8601(now, to: &body)
        body.append(contentsOf: #""}"#.utf8)
    }

    private func respond(_ slot: HTTPAnswerSlot, body: [UInt8], tag: UInt64, ifNoneMatch: [UInt8]?) {
        var headers = "Cache-Control: public, max-age=1\r\nETag: \(ProgressSnapshot.entityTag(tag))\r\n"
        // Answers differ by Origin when CORS is on (an allowed origin's set says so itself).
        if !context.config.cors.isEmpty, slot.headerSet == 0 { headers += "Vary: Origin\r\n" }
        if let ifNoneMatch, ProgressSnapshot.matches(ifNoneMatch: ifNoneMatch, tag: tag) {
            // The head a 200 would have, Content-Length included (RFC 9110 15.4.5), no body.
            return context.respond(slot, GatewayResponse(status: 304, body: body, headers: headers), omitBody: true)
        }
        context.respond(slot, GatewayResponse(status: 200, body: body, headers: headers))
    }
}

/// A progress poll waiting on reads: one pool's, or (`pool` nil) every stale pool's for the
/// list. Answered once, by the last read in or the first failure.
final class ProgressPoll {
    let slot: HTTPAnswerSlot
    /// The request's `If-None-Match`, copied: the request's bytes are gone by the time a read is in.
    let ifNoneMatch: [UInt8]?
    let pool: Int?
    var reads: Int
    var answered = false

    init(slot: HTTPAnswerSlot, ifNoneMatch: [UInt8]?, pool: Int?, reads: Int) {
        self.slot = slot
        self.ifNoneMatch = ifNoneMatch
        self.pool = pool
        self.reads = reads
    }
}

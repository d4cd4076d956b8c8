import ClaimHTTP
import ClaimPOSIX
import Foundation

/// The load engine: `connections` keep-alive connections on one epoll, each with one request
/// in flight, until `duration` or `maxRequests`, whichever comes first, or until the workload
/// has nothing more. Closed loop by default (each answer sends the next request); with a
/// `Pace`, open loop: requests are due on a fixed schedule and each latency is measured from
/// the instant the request was due, as wrk2 does, so a stall cannot hide by delaying the
/// requests that would have seen it (coordinated omission).
final class LoadRun {
    /// An open-loop schedule: `rate` requests per second, reached by a linear ramp, with the
    /// first `warmupSeconds` sent but not counted in the latencies and outcomes.
    struct Pace {
        var rate: Double
        var rampSeconds: Double
        var warmupSeconds: Double

        /// How many requests are due before `seconds` after the start.
        func count(dueBefore seconds: Double) -> Int {
            let ramped = rate * rampSeconds / 2
            if rampSeconds > 0, seconds < rampSeconds {
                return Int((seconds * seconds * rate / (2 * rampSeconds)).rounded(.up))
            }
            return Int((ramped + (seconds - rampSeconds) * rate).rounded(.up))
        }

        /// Seconds after the start at which request number `k` (from 0) is due.
        func due(_ k: Int) -> Double {
            let ramped = rate * rampSeconds / 2
            if rampSeconds > 0, Double(k) < ramped { return (2 * Double(k) * rampSeconds / rate).squareRoot() }
            return rampSeconds + (Double(k) - ramped) / rate
        }
    }

    private enum State { case connecting, idle, waiting, closed }
    /// Where the next `sendRound` starts.
    private var nextToSend = 0

    private final class Conn {
        var fd: Int32 = -1
        var state: State = .closed
        var inbound: [UInt8] = []
        var outbound: [UInt8] = []
        var written = 0
        var sentAt: UInt64 = 0
        var tag = 0
        var writeArmed = false
        /// When a closed connection may be opened again (a refused connect backs off).
        var reopenAt: UInt64 = 0
    }

    /// A request whose connection broke before its answer came: sent again, byte for byte
    /// (so with the same Idempotency-Key), timed from its first send.
    private struct Resend {
        let tag: Int
        let bytes: [UInt8]
        let sentAt: UInt64
        let attempt: Int
        /// Not before this instant (a 504's `Retry-After`); 0 for a lost answer.
        var notBefore: UInt64 = 0
    }

    /// The gateways: connection `i` goes to `gateways[i % count]`.
    private let gateways: [(host: String, port: Int)]
    private let durationNanoseconds: UInt64
    private let maxRequests: Int
    private let workload: LoadWorkload
    private let epoll: Epoll
    private var conns: [Conn]
    private let parser = HTTPResponseParser()
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
    private(set) var results = LoadResults()
    private var deadline: UInt64 = 0
    private var start: UInt64 = 0
    /// Print a progress line every second (on a terminal only).
    var showProgress = false
    /// Open loop when set.
    var pace: Pace?
    /// Answers to warm-up requests: sent and checked, not counted in the latencies.
    private(set) var warmupAnswers = 0
    private var lastProgress = 0
    /// How many times a request lost to a broken connection, or one the workload asks to send
    /// again (a 504 outcome_unknown), is sent again (0: never; it is counted as a socket error
    /// or in the outcomes, and its answer is unknown).
    var resendLost = 0
    private var resends: [Resend] = []
    private var attempts: [Int: Int] = [:]
    private static let reconnectBackoff: UInt64 = 100_000_000

    /// The run's one clock: deadlines, pacing, latencies.
    private let clock: any LoopClock

    init(
        gateways: [(host: String, port: Int)], connections: Int, durationSeconds: Double, maxRequests: Int,
        workload: LoadWorkload, clock: any LoopClock = SystemLoopClock()
    ) throws {
        self.clock = clock
        precondition(!gateways.isEmpty, "at least one gateway")
        self.gateways = gateways
        self.durationNanoseconds = UInt64(durationSeconds * 1e9)
        self.maxRequests = maxRequests
        self.workload = workload
        self.epoll = try Epoll(maxEvents: 1024)
        self.conns = (0..<connections).map { _ in Conn() }
    }

    deinit {
        for c in conns where c.fd >= 0 { FileDescriptor.close(c.fd) }
        scratch.deallocate()
    }

    private var mayStartMore: Bool {
        !workload.isFinished && results.sent < maxRequests && clock.nanoseconds() < deadline
    }

    func run() -> LoadResults {
        start = clock.nanoseconds()
        deadline = start + durationNanoseconds
        for i in conns.indices { open(i) }
        // After the deadline, answers still in flight get a grace period, then are abandoned.
        let hardStop = deadline + 5_000_000_000
        while true {
            let now = clock.nanoseconds()
            let busy = conns.contains { $0.state == .waiting || $0.state == .connecting } || !resends.isEmpty
            if (!mayStartMore && !busy) || now >= hardStop { break }
            if mayStartMore || !resends.isEmpty {
                for i in conns.indices where conns[i].state == .closed && conns[i].reopenAt <= now { open(i) }
            }
            do {
                // Paced runs wake when the next request is due (to the nanosecond: waking on the
                // millisecond sent requests up to 1 ms late, and at 10,000/s that was most of
                // the p50 the spike reported), at least once a millisecond.
                try epoll.wait(timeoutNanoseconds: pace == nil ? 20_000_000 : untilNextDue()) { token, events in
                    handle(Int(token), events)
                }
            } catch {
                results.socketErrors += 1
                break
            }
            if mayStartMore || !resends.isEmpty { sendRound() }
            let second = Int((clock.nanoseconds() - start) / 1_000_000_000)
            if showProgress, second > lastProgress {
                lastProgress = second
                FileHandle.standardError.write(
                    Data(("\r" + results.progressLine(elapsedSeconds: second) + "\u{1B}[K").utf8))
            }
        }
        results.elapsedNanoseconds = clock.nanoseconds() - start
        if results.sent >= maxRequests {
            results.stoppedBy = "requests"
        } else if workload.isFinished {
            results.stoppedBy = "workload"
        } else {
            results.stoppedBy = "duration"
            // Open loop: what the schedule had due by the deadline, and was never sent (but for the
            // last millisecond's: the loop wakes each millisecond, so those may fall past it).
            if let pace {
                let due = min(maxRequests, pace.count(dueBefore: Double(durationNanoseconds) / 1e9 - 0.001))
                results.droppedSends = max(0, due - results.sent)
            }
        }
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        return results
    }

    /// Nanoseconds until the next paced request is due, at most 1 ms. One already due was left
    /// because no connection was idle: the answer that frees one wakes the loop.
    private func untilNextDue() -> Int64 {
        guard let pace, mayStartMore else { return 1_000_000 }
        let due = start + UInt64(pace.due(results.sent) * 1e9)
        let now = clock.nanoseconds()
        return due <= now ? 1_000_000 : Int64(min(due - now, 1_000_000))
    }

    private func open(_ i: Int) {
        let c = conns[i]
        do {
            let gateway = gateways[i % gateways.count]
            let (fd, connected) = try TCPSocket.connect(host: gateway.host, port: gateway.port)
            c.fd = fd
            c.state = connected ? .idle : .connecting
            c.writeArmed = !connected
            c.inbound.removeAll(keepingCapacity: true)
            try epoll.add(fd, connected ? .readable : [.readable, .writable], token: UInt64(i))
            if connected { sendNext(i) }
        } catch {
            results.socketErrors += 1
            c.state = .closed
            c.reopenAt = clock.nanoseconds() + Self.reconnectBackoff
        }
    }

    private func close(_ i: Int, error: Bool) {
        let c = conns[i]
        if error { results.socketErrors += 1 }
        if c.state == .waiting {
            let attempt = attempts[c.tag, default: 0] + 1
            if attempt <= resendLost {
                attempts[c.tag] = attempt
                resends.append(Resend(tag: c.tag, bytes: c.outbound, sentAt: c.sentAt, attempt: attempt))
                results.resent += 1
            } else if resendLost > 0 {
                results.abandoned += 1
            }
        }
        if c.fd >= 0 {
            epoll.remove(c.fd)
            FileDescriptor.close(c.fd)
        }
        c.fd = -1
        c.state = .closed
        c.reopenAt = error ? clock.nanoseconds() + Self.reconnectBackoff / 10 : 0
        if !error, mayStartMore { open(i) }
    }

    private func handle(_ i: Int, _ events: EpollEvents) {
        let c = conns[i]
        if c.state == .connecting {
            guard TCPSocket.pendingError(c.fd) == 0 else { return close(i, error: true) }
            c.state = .idle
            try? epoll.modify(c.fd, .readable, token: UInt64(i))
            c.writeArmed = false
            if mayStartMore { sendNext(i) }
            return
        }
        if events.contains(.writable) { write(i) }
        if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) { read(i) }
    }

    /// Sends what is due on idle connections, going round them from where the last round
    /// stopped: not always from the first, which in an open loop sent nearly every request over
    /// the first few connections, so with `--sticky-people` only their people ever tapped (a
    /// crowd of 90,000 at 10,000/s was a crowd of some 30,000).
    private func sendRound() {
        let n = conns.count
        let from = nextToSend
        for k in 0..<n {
            let i = (from + k) % n
            guard conns[i].state == .idle else { continue }
            sendNext(i)
            if conns[i].state != .idle { nextToSend = (i + 1) % n }
        }
    }

    private func sendNext(_ i: Int) {
        let c = conns[i]
        guard c.state == .idle else { return }
        if let first = resends.first, first.notBefore <= clock.nanoseconds() {
            let r = resends.removeFirst()
            c.tag = r.tag
            c.outbound = r.bytes
            c.written = 0
            c.state = .waiting
            c.sentAt = r.sentAt
            return write(i)
        }
        guard mayStartMore else { return }
        var sentAt = clock.nanoseconds()
        if let pace {
            // Not due yet: wait. Overdue: send now, but time it from when it was due.
            let due = start + UInt64(pace.due(results.sent) * 1e9)
            guard due <= sentAt else { return }
            sentAt = due
        }
        guard let (tag, bytes) = workload.nextRequest(host: gateways[i % gateways.count].host, connection: i) else {
            return
        }
        c.tag = tag
        c.outbound = bytes
        c.written = 0
        c.state = .waiting
        c.sentAt = sentAt
        results.sent += 1
        write(i)
    }

    private func write(_ i: Int) {
        let c = conns[i]
        while c.written < c.outbound.count {
            let r: IOResult
            do {
                r = try c.outbound.withUnsafeBytes {
                    try FileDescriptor.write(c.fd, UnsafeRawBufferPointer(rebasing: $0[c.written...]))
                }
            } catch { return close(i, error: true) }
            switch r {
            case .transferred(let n): c.written += n
            case .wouldBlock:
                if !c.writeArmed {
                    try? epoll.modify(c.fd, [.readable, .writable], token: UInt64(i))
                    c.writeArmed = true
                }
                return
            case .endOfFile: return close(i, error: true)
            }
        }
        // Only a partial write armed writability: no system call per request otherwise.
        if c.writeArmed {
            try? epoll.modify(c.fd, .readable, token: UInt64(i))
            c.writeArmed = false
        }
    }

    private func read(_ i: Int) {
        let c = conns[i]
        let r: IOResult
        do { r = try FileDescriptor.read(c.fd, into: scratch) } catch { return close(i, error: true) }
        switch r {
        case .wouldBlock: return
        case .endOfFile: return close(i, error: c.state == .waiting)
        case .transferred(let n): c.inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
        }
        let parsed = c.inbound.withUnsafeBytes { parser.parse($0) }
        switch parsed {
        case .incomplete: return
        case .failed: return close(i, error: true)
        case .response(let response, let consumed):
            c.inbound.removeFirst(consumed)
            let now = clock.nanoseconds()
            if let pace, Double(c.sentAt - start) < pace.warmupSeconds * 1e9 {
                warmupAnswers += 1
            } else {
                results.record(
                    status: response.status, body: response.body, latencyNanoseconds: now - c.sentAt,
                    atNanoseconds: now - start, group: workload.group(of: c.tag))
            }
            let attempt = attempts[c.tag, default: 0] + 1
            if attempt <= resendLost,
                let delay = workload.resendDelay(
                    tag: c.tag, after: response, sentAt: c.sentAt &- start, answeredAt: now &- start)
            {
                // Same bytes, same key: the gateway answers it as the first attempt went.
                attempts[c.tag] = attempt
                resends.append(
                    Resend(tag: c.tag, bytes: c.outbound, sentAt: now + delay, attempt: attempt, notBefore: now + delay)
                )
                results.resent += 1
            } else {
                workload.record(tag: c.tag, response: response, sentAt: c.sentAt &- start, answeredAt: now &- start)
            }
            c.state = .idle
            if !response.keepAlive { return close(i, error: false) }
            // Open loop: the round after the wait sends what is due, on the next connection in
            // turn (a request due now goes out in the same iteration).
            if pace == nil { sendNext(i) }
        }
    }
}

import ClaimCore
import ClaimHTTP
import ClaimPOSIX
import ClaimRedis
import Logging

/// The operators' console, an `HTTPApplication` on its own listener (`claimgate serve
/// --admin-listen`): the page and its script and style (`Console/`, served as they are, no
/// build step, nothing from outside), `GET /api/state` (every pool's window, released / granted /
/// left, pause, the time it sold out, this gateway's claims by outcome, the last audit), and
/// `POST /api/pools/{pool}/{pause|resume|open|reset}` and `POST /api/audit`. Every `/api/`
/// request carries the operator credential (`Authorization: Bearer`); nothing else is served.
final class ConsoleService: HTTPApplication {
    /// Set right after the server is made (it needs the application, which needs this).
    unowned(unsafe) var http: HTTPServer!
    private let actions: ConsoleActions
    private let credential: [UInt8]
    private let clock: any ClaimClock
    private let claimCounts: () -> [String: [String: Int]]
    private let logger: Logger
    /// When each pool's window sold out, by "pool window": the first poll that saw it empty after
    /// one that saw stock, so to the second while the console is open. A window already empty
    /// when the console first looked is said to be sold out, with no time (none is known).
    private var soldOutAt: [String: Instant] = [:]
    private var sawStock: Set<String> = []
    private var lastAudit: (at: Instant, findings: ProgrammeAudit.Findings)?

    init(
        actions: ConsoleActions, credential: [UInt8], clock: any ClaimClock,
        claimCounts: @escaping () -> [String: [String: Int]], logger: Logger
    ) {
        self.actions = actions
        self.credential = credential
        self.clock = clock
        self.claimCounts = claimCounts
        self.logger = logger
    }

    func handle(_ request: HTTPRequestView, peer: UInt32, slot: HTTPAnswerSlot) {
        let path = String(decoding: request.path, as: UTF8.self)
        switch (request.method, path) {
        case (.get, "/"), (.head, "/"): return file(slot, ConsoleFiles.index, "text/html; charset=utf-8")
        case (.get, "/console.js"): return file(slot, ConsoleFiles.script, "text/javascript; charset=utf-8")
        case (.get, "/console.css"): return file(slot, ConsoleFiles.style, "text/css; charset=utf-8")
        default: break
        }
        guard path.hasPrefix("/api/") else { return error(slot, 404, "not_found", "no such page") }
        guard authorized(request) else {
            return error(slot, 401, "unauthorized", "the operator credential is missing or wrong")
        }
        let now = clock.now()
        do {
            if request.method == .get, path == "/api/state" { return json(slot, 200, try state(now: now)) }
            guard request.method == .post else { return error(slot, 405, "method_not_allowed", "use GET or POST") }
            if path == "/api/audit" {
                lastAudit = (now, try actions.audit())
                logger.info("console: audit", metadata: ["problems": "\(lastAudit?.findings.problems.count ?? 0)"])
                return json(slot, 200, try state(now: now))
            }
            let parts = path.split(separator: "/")
            guard parts.count == 4, parts[1] == "pools", let action = ConsoleActions.Action(rawValue: String(parts[3]))
            else { return error(slot, 404, "not_found", "no such action") }
            let (programme, _) = try actions.programme()
            guard let pool = programme.pool(id: String(parts[2])) else {
                return error(slot, 404, "unknown_pool", "no pool \(parts[2])")
            }
            let body = try? FlatJSONObject(parsing: request.body)
            let reason =
                body?.string("reason").flatMap { $0.isEmpty ? nil : $0 } ?? "paused by the programme's operators"
            guard reason.utf8.count <= 200 else { return error(slot, 400, "bad_request", "reason: at most 200 bytes") }
            let said = try actions.perform(action, pool: pool, programme: programme, reason: reason, now: now)
            logger.info(
                "operator action",
                metadata: ["action": "\(action.rawValue)", "pool": "\(pool.id)", "via": "console", "result": "\(said)"])
            var w = JSONWriter(capacity: 128)
            w.beginObject()
            w.field("done", said)
            w.endObject()
            json(slot, 200, w.bytes)
        } catch {
            self.error(slot, 503, "redis_unavailable", "the voucher store could not be read or changed: \(error)")
        }
    }

    /// Compared in constant time: the credential's length is not secret, its bytes are.
    private func authorized(_ request: HTTPRequestView) -> Bool {
        guard let value = request.field(0), value.count == credential.count + 7,
            ByteMatch.hasPrefixIgnoringCase(value, "bearer ")
        else { return false }
        var diff: UInt8 = 0
        for (i, b) in credential.enumerated() { diff |= value[7 + i] ^ b }
        return diff == 0
    }

    private func state(now: Instant) throws -> [UInt8] {
        let (programme, version) = try actions.programme()
        let rows = try actions.rows(programme, now: now)
        let counts = claimCounts()
        let calendar = programme.calendar
        var w = JSONWriter(capacity: 512 + rows.count * 400)
        w.beginObject()
        w.field("programme", programme.id)
        w.field("name", programme.name)
        if let version { w.field("version", version) } else { w.nullField("version") }
        w.field("server_time", calendar.iso8601(now))
        w.beginArray("pools")
        for row in rows {
            w.beginObject()
            w.field("pool", row.pool.id)
            w.field("name", row.pool.name)
            let window: ReleaseWindow?
            switch row.position {
            case .open(let win):
                window = win
                w.field("state", row.pausedReason == nil ? "open" : "paused")
            case .upcoming(let win):
                window = win
                w.field("state", row.pausedReason == nil ? "upcoming" : "paused")
            case .ended:
                window = nil
                w.field("state", "ended")
            }
            if let window {
                w.beginObject("window")
                w.field("id", window.id)
                w.field("opens_at", calendar.iso8601(window.opensAt))
                w.field("closes_at", calendar.iso8601(window.closesAt))
                w.endObject()
            } else {
                w.nullField("window")
            }
            // Not released yet (an automatic window before its first claim): what it will release.
            w.field("stock_released", row.counts != nil)
            w.field("stock_per_release", row.pool.stockPerRelease)
            w.field("released", row.counts?.released ?? 0)
            w.field("granted", row.counts?.granted ?? 0)
            w.field("left", row.counts?.left ?? 0)
            if let reason = row.pausedReason { w.field("paused_reason", reason) }
            if let window, let c = row.counts {
                let key = "\(row.pool.id) \(window.id)"
                if c.left > 0 {
                    sawStock.insert(key)
                    soldOutAt[key] = nil
                } else if c.released > 0 {
                    if soldOutAt[key] == nil, sawStock.contains(key) { soldOutAt[key] = now }
                    w.field("sold_out", true)
                    if let at = soldOutAt[key] { w.field("sold_out_at", calendar.iso8601(at)) }
                }
            }
            w.beginObject("claims")
            for (outcome, n) in (counts[row.pool.id] ?? [:]).sorted(by: { $0.key < $1.key }) { w.field(outcome, n) }
            w.endObject()
            w.endObject()
        }
        w.endArray()
        if let lastAudit {
            w.beginObject("audit")
            w.field("ran_at", calendar.iso8601(lastAudit.at))
            w.field("clean", lastAudit.findings.problems.isEmpty)
            w.field("windows", lastAudit.findings.windows)
            w.field("vouchers", lastAudit.findings.vouchers)
            w.beginArray("problems")
            for p in lastAudit.findings.problems.prefix(20) { w.element(p) }
            w.endArray()
            w.endObject()
        } else {
            w.nullField("audit")
        }
        w.endObject()
        return w.bytes
    }

    private func file(_ slot: HTTPAnswerSlot, _ bytes: [UInt8], _ type: String) {
        // The page may not be framed by another site, and loads nothing from elsewhere.
        http.respond(
            slot, status: 200, body: bytes,
            headers:
                "Cache-Control: no-cache\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: default-src 'self'\r\n",
            contentType: type)
    }

    private func json(_ slot: HTTPAnswerSlot, _ status: Int, _ body: [UInt8]) {
        http.respond(slot, status: status, body: body, headers: "Cache-Control: no-store\r\n")
    }

    private func error(_ slot: HTTPAnswerSlot, _ status: Int, _ code: String, _ message: String) {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.field("error", code)
        w.field("message", message)
        w.endObject()
        json(slot, status, w.bytes)
    }

    func refuse(_ refusal: HTTPRefusal, slot: HTTPAnswerSlot) {
        switch refusal {
        case .timedOut: error(slot, 408, "request_timeout", "the request was not completed in time")
        case .unparseable(let e): error(slot, e.status, "bad_request", e.message)
        }
    }

    let overCapAnswer: [UInt8] = []
    func connectionsChanged(by delta: Int) {}
    func connectionRefused() {}
    func acceptPaused(_ error: POSIXError, report: Int?) {}
}

/// The console's page, script and style, embedded from `Console/`.
enum ConsoleFiles {
    static let index = PackageResources.index_html
    static let script = PackageResources.console_js
    static let style = PackageResources.console_css
}

import ClaimCore
import ClaimPOSIX
import ClaimTestSupport
import Testing

@testable import ClaimRedis

/// Redis ACL users, as docs/trust.md ships them: the gateway's user runs claims but no
/// operator's or administrator's command; a wrong password gets nothing.
@Suite struct RedisACLTests {
    let admin: RedisClient
    let base: RedisEndpoint
    let gatewayUser = TestProgramme.uniqueID("gw")
    let password = "gateway-password-\(UInt32.random(in: 0...UInt32.max))"

    /// docs/trust.md's rules for the gateway's user. Redis 7 checks the commands a script
    /// runs against the caller's rules, so claims need reads and writes on `cg:*` keys.
    static let gatewayRules = [
        "~cg:*", "resetchannels", "-@all", "+@read", "+@write", "+@scripting", "+ping", "+select", "-@dangerous",
        "-script|flush", "-script|kill", "-function", "+info", "+subscribe", "&cg:restock",
    ]

    init() throws {
        let redis = try TestRedis.get()
        base = redis.endpoint
        admin = try redis.client()
        // The gateway's rules from docs/trust.md.
        _ = try admin.command(["ACL", "SETUSER", gatewayUser, "reset", "on", ">\(password)"] + Self.gatewayRules)
            .orThrow()
    }

    func endpoint(password: String) -> RedisEndpoint {
        RedisEndpoint(host: base.host, port: base.port, username: gatewayUser, password: password)
    }

    @Test func theGatewaysUserClaimsButCannotActAsOperator() throws {
        let gateway = try RedisClient(endpoint(password: password))
        // INFO is allowed (it shows no secret), so the eviction policy is checked, not assumed.
        #expect(gateway.settingsUnverified == nil)
        // It may listen for restocks, and on no other channel.
        let listener = try RedisClient(endpoint(password: password))
        #expect(try listener.command(["SUBSCRIBE", "cg:restock"]).array?.first?.text == "subscribe")
        let other = try RedisClient(endpoint(password: password))
        #expect(try other.command(["SUBSCRIBE", "cg:other"]).errorMessage?.hasPrefix("NOPERM") == true)
        let pool = TestProgramme.dailyPool(stock: 5)
        let now = TestProgramme.releaseInstant.adding(milliseconds: 1000)
        _ = try WindowScripts.open(admin, pool: pool.id, window: "2022-06-10", quota: 5, now: now)
        guard
            case .run(let request) = ClaimPlanner(programme: TestProgramme.programme([pool])).plan(
                pool: pool, person: "u1", facts: TestProgramme.resident, idempotencyKey: nil, now: now)
        else { throw TestHTTPError("not planned") }
        guard case .granted = try ClaimScript.run(request, on: gateway) else {
            Issue.record("the gateway's user could not claim")
            return
        }
        for forbidden in [
            ["FLUSHALL"], ["KEYS", "*"], ["CONFIG", "GET", "*"], ["HGET", "other:key", "x"], ["SCRIPT", "FLUSH"],
            ["SHUTDOWN"], ["ACL", "LIST"],
        ] {
            let reply = try gateway.command(forbidden)
            guard case .error(let m) = reply else {
                Issue.record("\(forbidden) was allowed: \(reply)")
                continue
            }
            #expect(m.hasPrefix("NOPERM"), "\(forbidden): \(m)")
        }
        _ = try admin.command(["ACL", "DELUSER", gatewayUser]).orThrow()
    }

    @Test func aWrongPasswordIsRefusedAtConnect() throws {
        #expect {
            _ = try RedisClient(endpoint(password: "not-the-password"))
        } throws: { "\($0)".contains("authentication refused") }
        _ = try admin.command(["ACL", "DELUSER", gatewayUser]).orThrow()
    }

    @Test func thePipelineAuthenticatesBeforeItsFirstCommand() throws {
        let pipeline = RedisPipeline(endpoint: endpoint(password: password))
        try pipeline.connect()
        pipeline.enqueue([Array("PING".utf8)])
        let epoll = try Epoll()
        try epoll.add(pipeline.fd, [.readable, .writable], token: 1)
        var replies: [RedisReply] = []
        let deadline = MonotonicClock.nanoseconds() + 5_000_000_000
        while replies.isEmpty, MonotonicClock.nanoseconds() < deadline {
            var events: EpollEvents = []
            try epoll.wait(timeoutMilliseconds: 50) { _, e in events = e }
            if events.contains(.writable) { try pipeline.handleWritable() }
            if events.contains(.readable) { try pipeline.handleReadable { replies.append($0.owned()) } }
            try epoll.modify(pipeline.fd, pipeline.wantsWritable ? [.readable, .writable] : .readable, token: 1)
        }
        #expect(replies == [.status("PONG")])
        _ = try admin.command(["ACL", "DELUSER", gatewayUser]).orThrow()
    }
}

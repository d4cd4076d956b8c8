import ClaimPOSIX
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimRedis

/// The event loop's Redis client against a real Redis of its own, on a manual clock: the reply
/// timeout is reached by moving the clock, not by waiting for it.
@Suite struct RedisLoopClientTests {
    /// Records what each of its commands got.
    final class Owner: RedisCallOwner {
        let commands: [Int: [[UInt8]]]
        let source: [Int: [[UInt8]]]
        var replies: [Int: RedisReply] = [:]
        var failures: [Int: RedisRoutePolicy.Failure] = [:]

        init(_ commands: [Int: [String]], source: [Int: [[UInt8]]] = [:]) {
            self.commands = commands.mapValues { $0.map { Array($0.utf8) } }
            self.source = source
        }

        func writeCommand(tag: Int, sendSource: Bool, to out: inout [UInt8]) {
            RESPEncoder.append((sendSource ? source[tag] : nil) ?? commands[tag] ?? [], to: &out)
        }
        func replied(tag: Int, owned reply: RedisReply) { replies[tag] = reply }
        func failed(tag: Int, _ failure: RedisRoutePolicy.Failure) { failures[tag] = failure }
    }

    let redis: TestRedis
    let clock = ManualLoopClock()
    let loop: EventLoop
    let client: RedisLoopClient

    init() throws {
        redis = try TestRedis.isolated()
        loop = try EventLoop(clock: clock)
        var settings = RedisLoopClientSettings(target: .single(redis.endpoint))
        settings.timeoutMilliseconds = 3000
        client = RedisLoopClient(settings: settings, loop: loop)
        client.start()
        for _ in 0..<100 where !client.isReady {
            client.flush()
            try loop.runOnce(maxWaitMilliseconds: 20)
        }
    }

    /// Iterations (real I/O, no time passing on the manual clock) until `done`.
    func run(until done: () -> Bool) throws {
        for _ in 0..<200 where !done() {
            client.flush()
            try loop.runOnce(maxWaitMilliseconds: 10)
        }
    }

    @Test func repliesComeBackToTheirCommands() throws {
        let owner = Owner([1: ["SET", "k", "v"], 2: ["GET", "k"]])
        #expect(client.send(slot: 0, shape: .init(isWrite: true, resend: .never), owner: owner, tag: 1))
        #expect(client.send(slot: 0, shape: .read, owner: owner, tag: 2))
        try run { owner.replies.count == 2 }
        #expect(owner.replies[1] == .status("OK"))
        #expect(owner.replies[2] == .bulk(Array("v".utf8)))
    }

    @Test func aLateReplyIsAnUnknownOutcomeAndACommandNeverWrittenDidNotRun() throws {
        // Stalled for a second of real time (the clock below moves by hand, so that is plenty).
        _ = try redis.client().command(["CLIENT", "PAUSE", "1000", "ALL"]).orThrow()
        let owner = Owner([1: ["INCR", "n"], 2: ["INCR", "n"]])
        #expect(client.send(slot: 0, shape: .init(isWrite: true, resend: .never), owner: owner, tag: 1))
        client.flush()
        try loop.runOnce(maxWaitMilliseconds: 10)
        // Queued, not written yet, when the link is given up.
        #expect(client.send(slot: 0, shape: .init(isWrite: true, resend: .never), owner: owner, tag: 2))
        clock.advance(milliseconds: 2900)
        try loop.runOnce(maxWaitMilliseconds: 0)
        #expect(owner.failures.isEmpty)
        clock.advance(milliseconds: 200)
        try loop.runOnce(maxWaitMilliseconds: 0)
        guard case .outcomeUnknown = owner.failures[1] else {
            Issue.record("the written command: \(String(describing: owner.failures[1]))")
            return
        }
        guard case .notRun = owner.failures[2] else {
            Issue.record("the unwritten command: \(String(describing: owner.failures[2]))")
            return
        }
        #expect(owner.replies.isEmpty)
    }

    @Test func aScriptMissingFromTheCacheIsSentWithItsSource() throws {
        _ = try redis.client().command(["SCRIPT", "FLUSH"]).orThrow()
        let script = LuaScript.wallet
        let owner = Owner(
            [1: ["EVALSHA", script.sha1, "1", "cg:{x}:wallet", "nobody"]],
            source: [1: script.command(keys: ["cg:{x}:wallet"], arguments: ["nobody"], sendSource: true)])
        _ = client.send(slot: 0, shape: .read, owner: owner, tag: 1)
        try run { owner.replies.count + owner.failures.count == 1 }
        #expect(owner.replies[1] != nil)
        #expect(owner.failures.isEmpty)
        #expect(try redis.client().command(["SCRIPT", "EXISTS", script.sha1]).array == [.integer(1)])
    }

    @Test func aRefusalIsNotRunAndNeverResent() throws {
        let owner = Owner([1: ["EVAL", "return redis.error_reply('BUSY pretend')", "0"]])
        _ = client.send(slot: 0, shape: .init(isWrite: true, resend: .safe), owner: owner, tag: 1)
        try run { owner.failures.count == 1 }
        #expect(owner.failures[1] == .notRun("BUSY pretend"))
    }

    /// A node that never completes the handshake (a partition: SYNs dropped) fails its link at
    /// the connect timeout, so calls get their "not run" at once instead of at the reply timeout
    /// and the next attempt comes sooner after the network heals.
    @Test func aConnectThatNeverCompletesFailsAtTheConnectTimeout() throws {
        // A listener whose accept queue is full: the kernel drops further SYNs.
        let listener = try TCPSocket.listen(host: "127.0.0.1", port: 0, backlog: 0)
        defer { FileDescriptor.close(listener) }
        let port = TCPSocket.localPort(listener)
        let fillers = try (0..<4).map { _ in try TCPSocket.connect(host: "127.0.0.1", port: port).fd }
        defer { for fd in fillers { FileDescriptor.close(fd) } }
        usleep(50_000)
        var settings = RedisLoopClientSettings(target: .single(RedisEndpoint(host: "127.0.0.1", port: port)))
        settings.timeoutMilliseconds = 3000
        settings.connectTimeoutMilliseconds = 200
        let stuck = RedisLoopClient(settings: settings, loop: loop)
        stuck.start()
        let owner = Owner([1: ["PING"]])
        #expect(stuck.send(slot: 0, shape: .read, owner: owner, tag: 1))
        for _ in 0..<5 {
            stuck.flush()
            try loop.runOnce(maxWaitMilliseconds: 10)
        }
        #expect(owner.failures.isEmpty)
        clock.advance(milliseconds: 350)
        for _ in 0..<5 {
            stuck.flush()
            try loop.runOnce(maxWaitMilliseconds: 10)
        }
        guard case .notRun(let why) = owner.failures[1] else {
            Issue.record("not failed at the connect timeout: \(String(describing: owner.failures[1]))")
            return
        }
        #expect(why.contains("connect"))
        stuck.close()
    }
}

/// With `waitReplicas`, a write's reply waits for the WAIT behind it (this Redis has no
/// replicas, so each WAIT ends at its timeout) and is answered then.
@Suite struct RedisLoopClientWaitTests {
    @Test func aWriteIsAnsweredAfterItsWait() throws {
        let redis = try TestRedis.isolated()
        let loop = try EventLoop(clock: SystemLoopClock())
        var settings = RedisLoopClientSettings(target: .single(redis.endpoint))
        settings.waitReplicas = 1
        settings.waitTimeoutMilliseconds = 20
        let client = RedisLoopClient(settings: settings, loop: loop)
        client.start()
        let owner = RedisLoopClientTests.Owner([1: ["SET", "w", "1"], 2: ["GET", "w"]])
        _ = client.send(slot: 0, shape: .init(isWrite: true, resend: .never), owner: owner, tag: 1)
        _ = client.send(slot: 0, shape: .read, owner: owner, tag: 2)
        for _ in 0..<200 where owner.replies.count < 2 {
            client.flush()
            try loop.runOnce(maxWaitMilliseconds: 10)
        }
        #expect(owner.replies[1] == .status("OK"))
        #expect(owner.replies[2] == .bulk(Array("1".utf8)))
        #expect(client.pendingCalls == 0)
    }
}

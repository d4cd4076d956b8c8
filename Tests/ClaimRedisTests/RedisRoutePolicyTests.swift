import Testing

@testable import ClaimRedis

/// The one rule for redirections and resends, decision by decision.
@Suite struct RedisRoutePolicyTests {
    let policy = RedisRoutePolicy(maxRedirects: 2)

    @Test func redirectionsAreFollowedUpToTheBound() {
        var a = RedisRoutePolicy.Attempt(resend: .never)
        let moved = "MOVED 3999 127.0.0.1:6381"
        #expect(policy.afterError(moved, &a, canWait: false) == .follow(ClusterRedirect(moved)!))
        #expect(
            policy.afterError("ASK 3999 127.0.0.1:6381", &a, canWait: false)
                == .follow(ClusterRedirect("ASK 3999 127.0.0.1:6381")!))
        guard case .fail(.notRun) = policy.afterError(moved, &a, canWait: true) else {
            Issue.record("a third redirection was followed")
            return
        }
    }

    @Test func noScriptSendsTheSourceOnce() {
        var a = RedisRoutePolicy.Attempt(resend: .never)
        #expect(policy.afterError("NOSCRIPT No matching script", &a, canWait: false) == .sendSource)
        #expect(a.sentSource)
        #expect(policy.afterError("NOSCRIPT No matching script", &a, canWait: false) == .answer)
    }

    @Test func refusalsAreRetriedOnlyByACallerThatCanWait() {
        for message in ["LOADING x", "BUSY x", "TRYAGAIN x", "CLUSTERDOWN x", "MASTERDOWN x", "READONLY x", "OOM x"] {
            var a = RedisRoutePolicy.Attempt(resend: .never)
            #expect(policy.afterError(message, &a, canWait: true) == .retry, "\(message)")
            #expect(policy.afterError(message, &a, canWait: false) == .fail(.notRun(message)), "\(message)")
        }
        var a = RedisRoutePolicy.Attempt(resend: .never)
        #expect(policy.afterError("ERR wrong number of arguments", &a, canWait: true) == .answer)
        #expect(policy.afterError("WRONGTYPE x", &a, canWait: true) == .answer)
    }

    @Test func aCommandThatWasWrittenIsResentOnlyIfItIsSafe() {
        let never = RedisRoutePolicy.Attempt(resend: .never)
        let safe = RedisRoutePolicy.Attempt(resend: .safe)
        // Never written: Redis did not run it.
        #expect(policy.afterLoss("reset", written: false, never, canWait: true) == .retry)
        #expect(policy.afterLoss("reset", written: false, never, canWait: false) == .fail(.notRun("reset")))
        // Written, no reply: only a safe command goes again.
        #expect(policy.afterLoss("timeout", written: true, never, canWait: true) == .fail(.outcomeUnknown("timeout")))
        #expect(policy.afterLoss("timeout", written: true, safe, canWait: true) == .retry)
        #expect(policy.afterLoss("timeout", written: true, safe, canWait: false) == .fail(.outcomeUnknown("timeout")))
    }

    @Test func readsAreSafeAndWritesAreNot() {
        func of(_ args: String...) -> RedisResend { RedisResend.of(args.map { Array($0.utf8) }) }
        #expect(of("HGETALL", "k") == .safe)
        #expect(of("hget", "k", "f") == .safe)
        #expect(of("INCR", "k") == .never)
        #expect(of("EVALSHA", "abc", "1", "k") == .never)
        #expect(of("CLUSTER", "SETSLOT") == .never)
        #expect(RedisResend.of([]) == .never)
    }
}

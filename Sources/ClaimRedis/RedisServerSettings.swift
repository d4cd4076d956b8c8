/// The Redis settings ClaimGate's promises rest on, checked on every new connection by the
/// gateway's links (`RedisPipeline`) and claimctl's (`RedisClient`), so a Redis set wrong is
/// refused before a single command of ours runs on it.
///
/// `maxmemory-policy` must be `noeviction`: any other policy lets Redis drop keys under memory
/// pressure, and a dropped window is released again at the next claim, a dropped person's
/// count lets them claim twice, a dropped counter issues voucher ids again. With `noeviction`
/// a full Redis refuses writes (OOM), which the gateway answers 503 with nothing granted.
/// The shipped `deploy/redis/redis.conf` has the settings.
public enum RedisServerSettings {
    /// The command whose reply carries what is checked (INFO is allowed to the gateway's ACL
    /// user: docs/trust.md).
    public static let command = ["INFO", "memory"]

    /// What is wrong with a Redis whose `INFO memory` reply is `info`; nil if nothing is.
    public static func problem(inInfo info: String) -> String? {
        guard let policy = field("maxmemory_policy", in: info) else {
            return "redis INFO memory has no maxmemory_policy: cannot tell whether it evicts keys"
        }
        guard policy == "noeviction" else {
            return "redis maxmemory-policy is \(policy): it may evict released windows and vouchers; ClaimGate needs "
                + "maxmemory-policy noeviction (deploy/redis/redis.conf)"
        }
        return nil
    }

    /// What an error reply to the check means: a user not allowed INFO leaves the settings
    /// unverified (a warning, not a refusal: the operator chose those ACL rules); any other
    /// error is the link's failure.
    public static func isUnverifiable(_ errorReply: String) -> Bool { errorReply.hasPrefix("NOPERM") }

    /// The value of `name:value` in an INFO reply (lines end in CRLF).
    static func field(_ name: String, in info: String) -> String? {
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix(name + ":") {
            return String(
                line.dropFirst(name.count + 1).drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace)
                    .reversed())
        }
        return nil
    }
}

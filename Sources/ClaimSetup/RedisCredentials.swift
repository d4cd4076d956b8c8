import ClaimRedis
import Foundation

/// Turns `--redis` into a target with its credentials: the ACL user from the URL
/// (`redis://operator@host:port`, `redis+cluster://operator@h1:p1,h2:p2`), the password from
/// `$CLAIMGATE_REDIS_PASSWORD`, never from the command line. Operators' `claimctl` and the
/// gateway use different users (see docs/trust.md).
public enum RedisCredentials {
    public static let passwordVariable = "CLAIMGATE_REDIS_PASSWORD"
    public static let urlVariable = "CLAIMGATE_REDIS_URL"

    /// `--redis`'s default: `$CLAIMGATE_REDIS_URL`, else the local Redis.
    public static var defaultURL: String {
        ProcessInfo.processInfo.environment[urlVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "redis://127.0.0.1:6379"
    }
    public static let urlHelp = "Redis URL (default: $CLAIMGATE_REDIS_URL, else redis://127.0.0.1:6379)."

    public static func target(_ url: String) throws -> RedisTarget {
        guard let target = RedisTarget(url: url) else {
            if let at = url.firstIndex(of: "@"), url[..<at].split(separator: "/").last?.contains(":") == true {
                throw SetupError("--redis \(url): no password in the URL; set \(passwordVariable)")
            }
            throw SetupError("--redis \(url): expected redis://[user@]host:port[/db] or redis+cluster://h1:p1,h2:p2")
        }
        if let password = ProcessInfo.processInfo.environment[passwordVariable], !password.isEmpty {
            return target.with(password: password)
        }
        if let user = target.first.username {
            throw SetupError("--redis \(url) names user \(user): set \(passwordVariable)")
        }
        return target
    }
}

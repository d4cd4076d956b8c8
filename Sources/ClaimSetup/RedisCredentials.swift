import ClaimRedis
import Foundation

/// Turns `--redis` into an endpoint with its credentials: the ACL user from the URL
/// (`redis://operator@host:port`), the password from `$CLAIMGATE_REDIS_PASSWORD`, never from
/// the command line. Operators' `claimctl` and the gateway use different users (see
/// docs/trust.md): the gateway's cannot run operator actions.
public enum RedisCredentials {
    public static let passwordVariable = "CLAIMGATE_REDIS_PASSWORD"

    public static func endpoint(_ url: String) throws -> RedisEndpoint {
        guard var endpoint = RedisEndpoint(url: url) else {
            if let at = url.firstIndex(of: "@"), url[..<at].dropFirst("redis://".count).contains(":") {
                throw SetupError("--redis \(url): no password in the URL; set \(passwordVariable)")
            }
            throw SetupError("--redis \(url): expected redis://[user@]host:port[/db]")
        }
        if let password = ProcessInfo.processInfo.environment[passwordVariable], !password.isEmpty {
            endpoint.password = password
        } else if endpoint.username != nil {
            throw SetupError("--redis \(url) names user \(endpoint.username ?? ""): set \(passwordVariable)")
        }
        return endpoint
    }
}

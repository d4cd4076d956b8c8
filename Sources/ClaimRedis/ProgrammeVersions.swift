import ClaimCore

/// The programme as Redis holds it: every version `claimctl load` recorded (the seed file's
/// bytes, checked before they were sent) and which one is current. claimctl's open, reset,
/// rebalance and pause, and gateways started without `--seed`, read the current version from
/// here, so what an operator loaded is what everything acts on; a seed file is only for `load`
/// and `check`. Both keys share the hash tag `{programme}`, one slot on a cluster.
public enum ProgrammeVersions {
    public static let versionsKey = "cg:{programme}:versions"
    public static let currentKey = "cg:{programme}:current"

    /// Records `seed` (a seed file's bytes, already decoded and checked) as the current
    /// version, unless it already is. Safe to resend: the same bytes change nothing.
    public static func record(_ client: any RedisCommands, seed: [UInt8]) throws(RedisError) -> (
        version: Int, changed: Bool
    ) {
        let reply = try client.run(
            .programme, keys: [versionsKey, currentKey], args: [String(decoding: seed, as: UTF8.self)], resend: .safe)
        guard let a = reply.array, a.count == 2, let version = a[0].integer, let changed = a[1].integer else {
            throw .unexpectedReply("programme: \(reply)")
        }
        return (Int(version), changed == 1)
    }

    /// The current version's number, nil when nothing was loaded.
    public static func currentVersion(_ client: any RedisCommands) throws(RedisError) -> Int? {
        let reply = try client.command(["GET", currentKey], resend: .safe).orThrow()
        if reply == .null { return nil }
        guard let text = reply.text, let n = Int(text) else { throw .unexpectedReply("\(currentKey): \(reply)") }
        return n
    }

    /// A stored version: its number and its seed file's bytes.
    public struct Stored: Sendable, Equatable {
        public let version: Int
        public let seed: [UInt8]
    }

    /// A stored version, decoded.
    public struct Loaded: Sendable {
        public let version: Int
        public let programme: Programme
    }

    /// The current version: its number and its seed's bytes; nil when nothing was loaded.
    public static func current(_ client: any RedisCommands) throws(RedisError) -> Stored? {
        guard let version = try currentVersion(client) else { return nil }
        let reply = try client.command(["HGET", versionsKey, String(version)], resend: .safe).orThrow()
        guard let text = reply.text else {
            throw .unexpectedReply("\(versionsKey) has no version \(version) (the current one): \(reply)")
        }
        return Stored(version: version, seed: Array(text.utf8))
    }

    /// The current programme, decoded: nil when nothing was loaded; a stored seed that no longer
    /// decodes (loaded by an older claimctl with other rules) is an error naming the version.
    /// (Typed throws kept apart from the optional result: in release builds of Swift 6.3 the two
    /// mixed in one pattern gave a corrupt value.)
    public static func currentProgramme(_ client: any RedisCommands) throws(RedisError) -> Loaded? {
        let stored: Stored?
        switch Result(catching: { () throws(RedisError) in try current(client) }) {
        case .success(let s): stored = s
        case .failure(let e): throw e
        }
        guard let stored else { return nil }
        switch Result(catching: { () throws(SeedError) in try ProgrammeSeed.decode(stored.seed) }) {
        case .success(let programme): return Loaded(version: stored.version, programme: programme)
        case .failure(let e):
            throw .unexpectedReply("programme version \(stored.version) in Redis does not decode: \(e)")
        }
    }
}

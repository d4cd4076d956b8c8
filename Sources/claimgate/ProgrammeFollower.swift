import ClaimCore
import ClaimRedis
import Logging

/// Watches the programme version Redis holds for a gateway started without `--seed`: once a
/// second (on the command's main thread, which otherwise only waits for signals) it reads the
/// current version's number, and when it moved on, the new programme for the caller to serve.
/// A failed read keeps what is served and is tried again next time on a fresh connection.
final class ProgrammeFollower {
    private let target: RedisTarget
    private let logger: Logger
    private var client: (any RedisCommands)?
    private(set) var version: Int
    /// Redis could not be read at the last look: said once when it starts and once when it ends,
    /// not every second of an outage.
    private var failing = false

    init(target: RedisTarget, version: Int, logger: Logger) {
        self.target = target
        self.version = version
        self.logger = logger
    }

    /// The programme loaded since, with its version; nil when the version is unchanged (or cannot
    /// be read now). A version that does not decode is logged and skipped.
    func newer() -> ProgrammeVersions.Loaded? {
        do {
            let c = try client ?? target.connect()
            client = c
            let current = try ProgrammeVersions.currentVersion(c)
            if failing {
                failing = false
                logger.info("reading the programme version from redis again")
            }
            guard let current, current != version else { return nil }
            return try ProgrammeVersions.currentProgramme(c)
        } catch {
            client = nil
            if !failing {
                failing = true
                logger.warning(
                    "cannot read the programme version from redis; serving version \(version) meanwhile",
                    metadata: ["error": "\(error)"])
            }
            return nil
        }
    }

    /// The version now served (or refused: it is not read again until another is loaded).
    func settle(on version: Int) { self.version = version }
}

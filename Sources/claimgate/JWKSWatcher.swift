import ClaimAuth
import ClaimGateway
import ClaimSetup
import Glibc
import Logging

/// Reloads a JWKS for the loops (`TokenKeysBox`) when the file changes (looked at once a second
/// from the command's main thread) or on SIGHUP: the identity provider's token keys, or the
/// operators' store QR keys (`Keys`). A file that does not load keeps the keys served and says
/// why; it is tried again when it changes next.
final class JWKSWatcher {
    /// Which keys the file holds.
    enum Keys: String {
        case tokens = "token keys"
        case storeQR = "store QR keys"
    }

    private let path: String
    private let box: TokenKeysBox
    private let keys: Keys
    private let logger: Logger
    private var stamp: Stamp?

    /// What tells a changed file: a new inode (renamed over, as `claimctl keys` writes), size or
    /// modification time.
    private struct Stamp: Equatable {
        let inode: UInt64
        let size: Int64
        let seconds: Int
        let nanoseconds: Int
    }

    init(path: String, keys: Keys, box: TokenKeysBox, logger: Logger) {
        self.path = path
        self.keys = keys
        self.box = box
        self.logger = logger
        stamp = Self.stamp(path)
        // The keys served were read before this stamp: a change in between is taken now (a
        // reload that finds the same keys publishes nothing).
        check(force: true, quiet: true)
    }

    /// Loads the file again if it changed since the last look, or whatever it is if `force`
    /// (`quiet`: an unchanged file is not logged).
    func check(force: Bool, quiet: Bool = false) {
        let now = Self.stamp(path)
        guard force || now != stamp else { return }
        stamp = now
        let current = box.current
        let old = keys == .tokens ? current.tokens : current.storeQR
        let name = keys.rawValue
        do {
            let loaded = try TokenKeyFiles.loadJWKS(path)
            guard loaded != old else {
                if force, !quiet { logger.info("\(name) reloaded: unchanged", metadata: ["keys": "\(loaded.ids)"]) }
                return
            }
            switch keys {
            case .tokens: box.publish(loaded)
            case .storeQR: box.publish(storeQR: loaded)
            }
            logger.notice(
                "\(name) reloaded",
                metadata: ["keys": "\(loaded.ids)", "before": "\(old?.ids ?? [])", "jwks": "\(path)"])
        } catch {
            logger.error(
                "\(name) not reloaded: still verifying with the keys before",
                metadata: ["keys": "\(old?.ids ?? [])", "error": "\(error)"])
        }
    }

    private static func stamp(_ path: String) -> Stamp? {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        return Stamp(
            inode: UInt64(s.st_ino), size: Int64(s.st_size), seconds: s.st_mtim.tv_sec, nanoseconds: s.st_mtim.tv_nsec)
    }
}

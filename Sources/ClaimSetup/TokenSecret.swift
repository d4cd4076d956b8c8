import ClaimAuth
import Foundation

/// The identity provider's HS256 secret, from `--token-secret-file`, else the environment
/// variable `CLAIMGATE_TOKEN_SECRET`. Never from a command-line value: that would show in `ps`.
///
/// Either holds one secret, or a keyring for rotation, as JSON:
/// `{"signing":"2026-12","unkeyed":"2026-11","keys":{"2026-11":"...","2026-12":"..."}}`
/// (`unkeyed`, optional, verifies tokens without a `kid`).
public enum TokenSecret {
    public static let environmentVariable = "CLAIMGATE_TOKEN_SECRET"
    /// The operators' secret for store QR codes under `--dev-hs256` (`TokenKeyFiles.storeQRKeys`).
    public static let storeQREnvironmentVariable = "CLAIMGATE_STORE_QR_SECRET"

    /// The identity provider's keys: a keyring if the secret is JSON, else the one secret.
    public static func loadKeyring(file: String?) throws -> TokenKeyring {
        let raw = try read(file: file, variable: environmentVariable)
        guard raw.first == UInt8(ascii: "{") else { return TokenKeyring(secret: try validated(raw)) }
        return try keyring(json: raw)
    }

    static func keyring(json: [UInt8]) throws -> TokenKeyring {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let signing = object["signing"] as? String, let keys = object["keys"] as? [String: String]
        else {
            throw SetupError(#"the keyring must be {"signing": KID, "keys": {KID: SECRET, ...}} (and "unkeyed": KID)"#)
        }
        let unkeyed = object["unkeyed"].flatMap { $0 as? String }
        do {
            return try TokenKeyring(
                keys: keys.sorted { $0.key < $1.key }.map { ($0.key, Array($0.value.utf8)) }, signingKeyID: signing,
                unkeyedKeyID: unkeyed)
        } catch { throw SetupError("keyring: \(error)") }
    }

    public static func load(file: String?, variable: String = environmentVariable) throws -> [UInt8] {
        try validated(read(file: file, variable: variable))
    }

    private static func read(file: String?, variable: String) throws -> [UInt8] {
        var secret: [UInt8]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw SetupError("cannot read \(file)") }
            secret = Array(data)
            while let last = secret.last, last == 10 || last == 13 || last == 32 { secret.removeLast() }
        } else if let env = ProcessInfo.processInfo.environment[variable] {
            secret = Array(env.utf8)
        } else {
            throw SetupError("no secret: set \(variable) or pass the secret's file")
        }
        while let first = secret.first, first == 10 || first == 13 || first == 32 { secret.removeFirst() }
        return secret
    }

    /// The secret if it is long enough to be one (HS256 wants at least 16 bytes of entropy).
    public static func validated(_ secret: [UInt8]) throws -> [UInt8] {
        guard secret.count >= 16 else { throw SetupError("the token secret must be at least 16 bytes") }
        return secret
    }
}

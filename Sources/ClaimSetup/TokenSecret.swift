import Foundation

/// The identity provider's HS256 secret, from `--token-secret-file`, else the environment
/// variable `CLAIMGATE_TOKEN_SECRET`. Never from a command-line value: that would show in `ps`.
public enum TokenSecret {
    public static let environmentVariable = "CLAIMGATE_TOKEN_SECRET"
    /// The operators' secret for store QR codes (a different key from the identity provider's).
    public static let storeQREnvironmentVariable = "CLAIMGATE_STORE_QR_SECRET"

    /// The store QR secret from `file`, else `$CLAIMGATE_STORE_QR_SECRET`, else nil.
    public static func loadStoreQR(file: String?) throws -> [UInt8]? {
        guard file != nil || ProcessInfo.processInfo.environment[storeQREnvironmentVariable] != nil else { return nil }
        return try load(file: file, variable: storeQREnvironmentVariable)
    }

    public static func load(file: String?, variable: String = environmentVariable) throws -> [UInt8] {
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
        return try validated(secret)
    }

    /// The secret if it is long enough to be one (HS256 wants at least 16 bytes of entropy).
    public static func validated(_ secret: [UInt8]) throws -> [UInt8] {
        guard secret.count >= 16 else { throw SetupError("the token secret must be at least 16 bytes") }
        return secret
    }
}

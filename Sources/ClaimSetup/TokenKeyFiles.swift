import ClaimAuth
import Foundation

/// Where the executables find token keys. The gateway verifies with the identity provider's
/// public keys (`--jwks FILE`, else `$CLAIMGATE_JWKS`); the tools that mint tokens for demos and
/// load tests sign with a private key (`--token-key-file FILE`, else `$CLAIMGATE_TOKEN_KEY`),
/// as `claimctl keys generate` writes them. An HS256 secret (`TokenSecret`) is used only when
/// `--dev-hs256` says so: with a shared secret every gateway could mint anyone's token.
public enum TokenKeyFiles {
    public static let jwksVariable = "CLAIMGATE_JWKS"
    public static let signingKeyVariable = "CLAIMGATE_TOKEN_KEY"

    /// The JWKS file a gateway follows: `--jwks`, else `$CLAIMGATE_JWKS`, else none.
    public static func jwksPath(_ jwks: String?) -> String? {
        jwks ?? ProcessInfo.processInfo.environment[jwksVariable]
    }

    /// The keys a gateway verifies tokens with.
    public static func verificationKeys(jwks: String?, devHS256: Bool, secretFile: String?) throws -> TokenKeySet {
        if devHS256 {
            guard jwks == nil else { throw SetupError("--jwks and --dev-hs256 exclude each other: pick one") }
            return try TokenSecret.loadKeyring(file: secretFile).verificationKeys
        }
        guard let path = jwksPath(jwks) else {
            throw SetupError(
                "no token keys: pass --jwks FILE (the identity provider's public keys; claimctl keys generate "
                    + "writes one), or --dev-hs256 with \(TokenSecret.environmentVariable) for a demo")
        }
        return try loadJWKS(path)
    }

    /// A JWKS file's keys; the error names the file, the key and the reason.
    public static func loadJWKS(_ path: String) throws -> TokenKeySet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SetupError("cannot read JWKS \(path)")
        }
        switch JWKSDecoder.keySet(Array(data)) {
        case .success(let keys): return keys
        case .failure(let problem): throw SetupError("JWKS \(path): \(problem)")
        }
    }

    /// What a tool signs tokens with.
    public static func signing(keyFile: String?, devHS256: Bool, secretFile: String?) throws -> TokenSigning {
        if devHS256 { return .sharedSecret(try TokenSecret.loadKeyring(file: secretFile)) }
        guard let path = keyFile ?? ProcessInfo.processInfo.environment[signingKeyVariable] else {
            throw SetupError(
                "no signing key: pass --token-key-file FILE (a private JWK from claimctl keys generate), "
                    + "or --dev-hs256 with \(TokenSecret.environmentVariable)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SetupError("cannot read the private key \(path)")
        }
        switch JWKSDecoder.signingKey(Array(data)) {
        case .success(let key): return .privateKey(key)
        case .failure(let problem): throw SetupError("private key \(path): \(problem)")
        }
    }
}

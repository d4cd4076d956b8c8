import ClaimAuth
import Foundation

/// Where the executables find token keys. The gateway verifies with the identity provider's
/// public keys (`--jwks FILE`, else `$CLAIMGATE_JWKS`); the tools that mint tokens for demos and
/// load tests sign with a private key (`--token-key-file FILE`, else `$CLAIMGATE_TOKEN_KEY`),
/// as `claimctl keys generate` writes them. An HS256 secret (`TokenSecret`) is used only when
/// `--dev-hs256` says so: with a shared secret every gateway could mint anyone's token.
///
/// Store QR codes are signed the same way with a key pair of the operators' own (never the
/// identity provider's): the gateway verifies them with `--store-qr-jwks` (else
/// `$CLAIMGATE_STORE_QR_JWKS`), and `claimctl store-qr` signs with `--store-qr-key-file` (else
/// `$CLAIMGATE_STORE_QR_KEY`), so no gateway's configuration can mint a store's code.
public enum TokenKeyFiles {
    public static let jwksVariable = "CLAIMGATE_JWKS"
    public static let signingKeyVariable = "CLAIMGATE_TOKEN_KEY"
    public static let storeQRJWKSVariable = "CLAIMGATE_STORE_QR_JWKS"
    public static let storeQRKeyVariable = "CLAIMGATE_STORE_QR_KEY"

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
        return .privateKey(try privateKey(path))
    }

    /// The operators' keys a gateway checks store QR codes with: `--store-qr-jwks`; else, under
    /// `--dev-hs256` only, `--store-qr-secret-file`; else `$CLAIMGATE_STORE_QR_JWKS`; else (dev)
    /// `$CLAIMGATE_STORE_QR_SECRET`; else nil (in-store pools then refuse every claim). A secret
    /// without `--dev-hs256` is refused: a gateway holding it could mint any store's code.
    public static func storeQRKeys(jwks: String?, devHS256: Bool, secretFile: String?) throws -> TokenKeySet? {
        let environment = ProcessInfo.processInfo.environment
        if let path = storeQRJWKSPath(jwks: jwks, secretFile: secretFile) { return try loadJWKS(path) }
        if secretFile != nil {
            guard devHS256 else {
                throw SetupError(
                    "--store-qr-secret-file is for --dev-hs256 only: pass --store-qr-jwks FILE (the operators' "
                        + "public keys; claimctl keys generate writes one)")
            }
            return try storeQRSecret(file: secretFile).verificationKeys
        }
        guard devHS256, environment[TokenSecret.storeQREnvironmentVariable] != nil else { return nil }
        return try storeQRSecret(file: nil).verificationKeys
    }

    /// The JWKS file `storeQRKeys` reads the operators' keys from, when it reads one (the
    /// gateway follows it): `--store-qr-jwks`, else `$CLAIMGATE_STORE_QR_JWKS` unless a dev
    /// secret file was named.
    public static func storeQRJWKSPath(jwks: String?, secretFile: String?) -> String? {
        jwks ?? (secretFile == nil ? ProcessInfo.processInfo.environment[storeQRJWKSVariable] : nil)
    }

    /// What `claimctl store-qr` and claimload sign store QR codes with, in the same order: the
    /// operators' private key (`--store-qr-key-file`), the secret under `--dev-hs256`
    /// (`--store-qr-secret-file`), `$CLAIMGATE_STORE_QR_KEY`, the secret's variable (dev).
    public static func storeQRSigning(keyFile: String?, devHS256: Bool, secretFile: String?) throws -> TokenSigning {
        let environment = ProcessInfo.processInfo.environment
        if let keyFile { return .privateKey(try privateKey(keyFile)) }
        if secretFile != nil {
            guard devHS256 else { throw SetupError("--store-qr-secret-file is for --dev-hs256 only") }
            return .sharedSecret(try storeQRSecret(file: secretFile))
        }
        if let path = environment[storeQRKeyVariable] { return .privateKey(try privateKey(path)) }
        guard devHS256, environment[TokenSecret.storeQREnvironmentVariable] != nil else {
            throw SetupError(
                "no store QR key: pass --store-qr-key-file FILE (the operators' private JWK from claimctl keys "
                    + "generate; else $\(storeQRKeyVariable)), or --dev-hs256 with \(TokenSecret.storeQREnvironmentVariable)"
            )
        }
        return .sharedSecret(try storeQRSecret(file: nil))
    }

    private static func storeQRSecret(file: String?) throws -> TokenKeyring {
        TokenKeyring(secret: try TokenSecret.load(file: file, variable: TokenSecret.storeQREnvironmentVariable))
    }

    /// A private JWK file's key; the error names the file and the reason.
    static func privateKey(_ path: String) throws -> TokenSigningKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SetupError("cannot read the private key \(path)")
        }
        switch JWKSDecoder.signingKey(Array(data)) {
        case .success(let key): return key
        case .failure(let problem): throw SetupError("private key \(path): \(problem)")
        }
    }
}

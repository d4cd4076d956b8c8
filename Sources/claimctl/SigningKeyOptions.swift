import ArgumentParser
import ClaimAuth
import ClaimSetup

/// How `claimctl token` and `merchant-token` sign: the identity provider's private key, or an
/// HS256 secret for a `--dev-hs256` gateway.
struct SigningKeyOptions: ParsableArguments {
    @Option(help: "Private key (a JWK from claimctl keys generate; else $CLAIMGATE_TOKEN_KEY).")
    var tokenKeyFile: String?
    @Flag(help: "Sign HS256 with a shared secret instead, for a gateway run with --dev-hs256.") var devHs256 = false
    @Option(help: "With --dev-hs256: the secret file (else $CLAIMGATE_TOKEN_SECRET).") var tokenSecretFile: String?

    func signing() throws -> TokenSigning {
        try TokenKeyFiles.signing(keyFile: tokenKeyFile, devHS256: devHs256, secretFile: tokenSecretFile)
    }
}

import ArgumentParser
import ClaimAuth
import ClaimSetup

/// What `claimctl store-qr` signs a store's code with: the operators' private key (never the
/// identity provider's; the gateways hold only its public half, `--store-qr-jwks`).
struct StoreQRKeyOptions: ParsableArguments {
    @Option(help: "The operators' private key (a JWK from claimctl keys generate; else $CLAIMGATE_STORE_QR_KEY).")
    var storeQRKeyFile: String?
    @Flag(help: "Sign HS256 with a shared secret instead, for a gateway run with --dev-hs256.") var devHs256 = false
    @Option(help: "With --dev-hs256: the secret file (else $CLAIMGATE_STORE_QR_SECRET).") var storeQRSecretFile: String?

    func signing() throws -> TokenSigning {
        try TokenKeyFiles.storeQRSigning(keyFile: storeQRKeyFile, devHS256: devHs256, secretFile: storeQRSecretFile)
    }
}

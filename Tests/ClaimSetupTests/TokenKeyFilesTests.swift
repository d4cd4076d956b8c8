import ClaimAuth
import Foundation
import Testing

@testable import ClaimSetup

@Suite struct TokenKeyFilesTests {
    func temporaryFile(_ bytes: [UInt8]) -> String {
        let path = NSTemporaryDirectory() + "claimgate-keyfiles-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// The gateway takes the operators' public keys; a shared secret, which would let it mint any
    /// store's code, only under --dev-hs256.
    @Test func storeQRKeysArePublicUnlessDevelopment() throws {
        let key = try TokenSigningKey.generate(.es256, id: "operators")
        let jwks = temporaryFile(JWKWriter.set([key.publicKey]))
        let secret = temporaryFile(Array("operators-store-qr-secret-32-byte".utf8))
        defer { for f in [jwks, secret] { try? FileManager.default.removeItem(atPath: f) } }

        let keys = try TokenKeyFiles.storeQRKeys(jwks: jwks, devHS256: false, secretFile: nil)
        #expect(keys?.keys == [key.publicKey])
        #expect(keys?.hasSharedSecret == false)
        #expect {
            try TokenKeyFiles.storeQRKeys(jwks: nil, devHS256: false, secretFile: secret)
        } throws: { "\($0)".contains("--store-qr-secret-file is for --dev-hs256 only") }
        #expect(try TokenKeyFiles.storeQRKeys(jwks: nil, devHS256: true, secretFile: secret)?.hasSharedSecret == true)
        #expect {
            try TokenKeyFiles.storeQRSigning(keyFile: nil, devHS256: false, secretFile: secret)
        } throws: { "\($0)".contains("--dev-hs256 only") }
        #expect {
            try TokenKeyFiles.storeQRKeys(jwks: secret, devHS256: false, secretFile: nil)
        } throws: { "\($0)".contains("JWKS \(secret)") }
    }
}

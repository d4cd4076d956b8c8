import ClaimAuth
import ClaimCore
import Testing

@Suite struct StoreQRCodeReaderTests {
    // swift-format-ignore: NeverUseForceTry
    static let operators = try! TokenSigningKey.generate(.es256, id: "operators")
    // swift-format-ignore: NeverUseForceTry
    static let provider = try! TokenSigningKey.generate(.es256, id: "provider")
    let day = CivilDate("2022-06-10")!
    var publicKeys: TokenKeySet { TokenKeySet(keys: [Self.operators.publicKey]) }

    func code(_ store: String, signedBy key: TokenSigningKey = operators) -> [UInt8] {
        Array(TokenSigner(privateKey: key).sign(payload: StoreQRCode(store: store, day: day).payload()).utf8)
    }

    /// Codes made HS256 from each verification key's own bytes, with its kid and without: what
    /// whoever reads a gateway's store QR configuration could make.
    func codesMadeFrom(_ keys: TokenKeySet) -> [[UInt8]] {
        let payload = StoreQRCode(store: "s1", day: day).payload()
        return keys.keys.flatMap { k -> [[UInt8]] in
            var made = [TokenSigner(secret: k.material).sign(payload: payload)]
            if let id = k.id, let ring = try? TokenKeyring(keys: [(id, k.material)], signingKeyID: id) {
                made.append(TokenSigner(keyring: ring).sign(payload: payload))
            }
            return made.map { Array($0.utf8) }
        }
    }

    @Test func readsGenuineCodesAndRemembersOnlyThose() {
        let reader = StoreQRCodeReader(keys: publicKeys)
        #expect(reader.visit(nil) == .none)
        // ES256 signatures are randomised: one code, as the store shows it all day.
        let s1 = code("s1")
        #expect(reader.visit(s1) == .scanned(store: "s1", day: day))
        #expect(reader.visit(s1) == .scanned(store: "s1", day: day))
        #expect(reader.remembered == 1)
        // The identity provider's key makes no store code, nor does a resident token.
        #expect(reader.visit(code("s1", signedBy: Self.provider)) == .invalid)
        let resident = TokenSigner(privateKey: Self.operators).sign(payload: Array(#"{"sub":"u1"}"#.utf8))
        #expect(reader.visit(Array(resident.utf8)) == .invalid)
        // A genuine code with one byte changed is checked, not taken from memory.
        var altered = code("s2")
        #expect(reader.visit(altered) == .scanned(store: "s2", day: day))
        altered[altered.count - 2] ^= 1
        #expect(reader.visit(altered) == .invalid)
        #expect(reader.remembered == 2)
        #expect(StoreQRCodeReader(keys: nil).visit(code("s1")) == .invalid)
    }

    @Test func aGatewayHoldingThePublicKeyCannotMintACode() {
        let reader = StoreQRCodeReader(keys: publicKeys)
        let forged = codesMadeFrom(publicKeys)
        #expect(forged.count == 2)
        for c in forged { #expect(reader.visit(c) == .invalid) }
        // What gateways held before: the HS256 secret itself, which mints codes it accepts.
        let devKeys = TokenKeyring(secret: Array("operators-store-qr-secret-32-byte".utf8)).verificationKeys
        let devReader = StoreQRCodeReader(keys: devKeys)
        #expect(codesMadeFrom(devKeys).contains { devReader.visit($0) == .scanned(store: "s1", day: day) })
    }

    @Test func memoryIsBounded() {
        let reader = StoreQRCodeReader(keys: publicKeys, capacity: 3)
        for i in 0..<7 { #expect(reader.visit(code("s\(i)")) == .scanned(store: "s\(i)", day: day)) }
        #expect(reader.remembered <= 3)
        #expect(reader.visit(code("s0")) == .scanned(store: "s0", day: day))
    }
}

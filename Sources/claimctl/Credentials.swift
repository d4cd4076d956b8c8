import ArgumentParser
import ClaimAuth
import ClaimCore
import ClaimPOSIX
import ClaimSetup

/// `claimctl store-qr STORE --day D`: the QR code a participating store shows for one day.
struct StoreQR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-qr",
        abstract: "Print a store's QR token for one day (signed with the operators' store QR private key).")
    @Argument(help: "Store id, as listed in the seed's stores.") var store: String
    @Option(help: "Day, YYYY-MM-DD.") var day: String
    @Option(help: "Programme seed file, to check the store exists.") var seed = "seeds/shenyang-2022.json"
    @OptionGroup var keys: StoreQRKeyOptions

    func run() throws {
        guard let date = CivilDate(day) else { throw SetupError("--day \(day): expected YYYY-MM-DD") }
        let programme = try ProgrammeFile.load(seed)
        guard programme.stores.contains(store) else {
            throw SetupError("no store \(store); stores: \(programme.stores.sorted().joined(separator: ", "))")
        }
        print(try keys.signing().signer().sign(payload: StoreQRCode(store: store, day: date).payload()))
        operatorLog.info("operator action", metadata: ["action": "store-qr", "store": "\(store)", "day": "\(day)"])
    }
}

/// `claimctl merchant-token`: a merchant's token as the identity provider would sign it.
struct MerchantTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merchant-token", abstract: "Mint a merchant token (for demos and tests).")
    @Option(help: "Merchant id.") var merchant: String
    @Option(help: "Comma-separated merchant categories.") var categories: String
    @Option(help: "Lifetime in seconds.") var ttl = 3600
    @OptionGroup var keys: SigningKeyOptions

    func run() throws {
        let cats = categories.split(separator: ",").map(String.init)
        guard Identifier.isValid(merchant), !cats.isEmpty, cats.allSatisfy(Identifier.isValid) else {
            throw SetupError("--merchant and every category must be 1-64 characters of [A-Za-z0-9_.-]")
        }
        let token = MerchantToken(
            merchant: merchant, categories: cats, expiresAt: SystemClock().now().adding(milliseconds: Int64(ttl) * 1000)
        )
        print(try keys.signing().signer().sign(payload: token.payload()))
    }
}

import ClaimCore

/// A participating store's QR code for one day, signed by the programme's operators with their
/// own private key (not the identity provider's), so no resident or merchant token can pass as
/// one, and no gateway, which holds only the public keys, can mint one. Read per loop through
/// `StoreQRCodeReader`.
/// Payload: `{"typ":"store_qr","store":"store-gome-zhongjie","day":"2022-06-10"}`.
public struct StoreQRCode: Hashable, Sendable {
    public let store: String
    public let day: CivilDate

    public init(store: String, day: CivilDate) {
        self.store = store
        self.day = day
    }

    public func payload() -> [UInt8] {
        var w = JSONWriter(capacity: 96)
        w.beginObject()
        w.field("typ", "store_qr")
        w.field("store", store)
        w.field("day", day.description)
        w.endObject()
        return w.bytes
    }

    /// What a scanned token says, for the claim planner: `.scanned` only for a genuine code.
    /// Not generic: every claim calls it (with nil, for a claim without a body), and an
    /// unspecialised generic looked up `Optional`'s metadata at run time on each call.
    public static func visit(_ token: [UInt8]?, verifier: TokenVerifier?) -> StoreVisit {
        guard let token else { return .none }
        guard let verifier, case .success(let json) = verifier.payload(token), json.string("typ") == "store_qr",
            let store = json.string("store"), Identifier.isValid(store),
            let day = json.string("day").flatMap(CivilDate.init)
        else { return .invalid }
        return .scanned(store: store, day: day)
    }
}

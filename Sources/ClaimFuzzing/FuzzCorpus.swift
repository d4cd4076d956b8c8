import ClaimAuth
import ClaimCore

/// Valid inputs for each target, which the mutator starts from: mutating something almost
/// right reaches deeper than random bytes do.
public enum FuzzCorpus {
    public static func seeds(for target: FuzzTarget) -> [[UInt8]] {
        switch target {
        case .httpRequest:
            return [
                "POST /v1/pools/daily-250/claims HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer \(token)\r\nIdempotency-Key: k-1\r\nContent-Length: 0\r\n\r\n",
                "POST /v1/redemptions HTTP/1.1\r\nHost: g\r\nContent-Length: 61\r\n\r\n{\"voucher\":\"daily-250.1\",\"order\":\"o-1\",\"amount_fen\":30000}",
                "GET /v1/me/vouchers?pool=a HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n",
                "GET /healthz HTTP/1.0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n",
            ].map { Array($0.utf8) }
        case .httpResponse:
            return [
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"left\":4999}",
                "HTTP/1.1 409 Conflict\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            ].map { Array($0.utf8) }
        case .flatJSON:
            return [
                #"{"voucher":"daily-250.7","order":"o-9","amount_fen":30000,"ok":true,"x":null}"#,
                #"{"sub":"u\u00e9\n","exp":4102444800,"real_name":false}"#,
            ].map { Array($0.utf8) }
        case .token:
            return [Array(token.utf8), Array(merchantToken.utf8)]
        case .base64:
            return [Array("eyJhbGciOiJIUzI1NiJ9".utf8), Array("AQID_-8".utf8), []]
        case .route:
            return ["/v1/pools/daily-250/claims", "/v1/redemptions/o-1/reverse", "/healthz", "/v1/pools/a"].map {
                Array($0.utf8)
            }
        case .iso8601:
            return ["2022-06-10T10:00:00.000+08:00", "2022-06-10T02:00Z", "2022-06-10 10:00:59"].map { Array($0.utf8) }
        case .jwks:
            let set = JWKWriter.set(FuzzTarget.signingKeys.map(\.publicKey))
            return [set] + FuzzTarget.signingKeys.map { $0.privateJWK() }
        case .publicKeyToken:
            let facts = EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual)
            return FuzzTarget.signingKeys.flatMap { key in
                let signer = TokenSigner(privateKey: key)
                return [
                    signer.sign(
                        PersonToken(
                            person: "u42", facts: facts, expiresAt: Instant(unixMilliseconds: 4_102_444_800_000))),
                    signer.sign(
                        payload: MerchantToken(
                            merchant: "m-1", categories: ["restaurant"],
                            expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)
                        ).payload()),
                ].map { Array($0.utf8) }
            }
        case .redisReply:
            return [
                "*3\r\n$7\r\ngranted\r\n:4999\r\n*2\r\n$4\r\nv.12\r\n$-1\r\n",
                "-NOSCRIPT No matching script\r\n+OK\r\n:12\r\n", "*-1\r\n$0\r\n\r\n",
                // A fresh grant and a replay, as claim.lua answers them.
                "*5\r\n$7\r\ngranted\r\n:4999\r\n:0\r\n$25\r\nspecialty-15:2022-06-10:1\r\n"
                    + "$53\r\nb1|1500|10000|2022-06-10|1654826400000|1654876800000|\r\n",
                "*5\r\n+granted\r\n:4999\r\n:1\r\n$25\r\nspecialty-15:2022-06-10:1\r\n"
                    + "$53\r\nb1|1500|10000|2022-06-10|1654826400000|1654876800000|\r\n",
            ].map { Array($0.utf8) }
        }
    }

    private static let token: String = {
        let facts = EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual)
        return TokenSigner(secret: FuzzTarget.secret).sign(
            PersonToken(person: "u42", facts: facts, expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)))
    }()

    private static let merchantToken = TokenSigner(secret: FuzzTarget.secret).sign(
        payload: MerchantToken(
            merchant: "m-1", categories: ["restaurant"], expiresAt: Instant(unixMilliseconds: 4_102_444_800_000)
        ).payload())
}

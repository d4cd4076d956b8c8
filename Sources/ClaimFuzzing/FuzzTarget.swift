import ClaimAuth
import ClaimCore
import ClaimGateway
import ClaimHTTP
import ClaimRedis

/// One decoder that takes untrusted bytes, and the properties it must keep on any input.
///
/// `check` returns nil when every property held, else what broke. A trap inside a decoder is
/// a finding too: libFuzzer reports it, and the seeded campaign dies with it.
public enum FuzzTarget: UInt8, CaseIterable, Sendable {
    /// `HTTPRequestParser`: never consumes more than it was given; a request's lengths stay
    /// inside the parser's bounds; a prefix of a request is never itself a different request,
    /// and a prefix refused means the whole is refused (garbage cannot become valid).
    case httpRequest
    /// `HTTPResponseParser` (claimload's side of the wire).
    case httpResponse
    /// `FlatJSONObject`, the body and token-payload scanner: bounded fields, unique keys.
    case flatJSON
    /// `TokenVerifier`: never accepts bytes it did not sign, whatever the header says.
    case token
    /// `Base64URL`: decoding is canonical (what it accepts re-encodes to the same text).
    case base64
    /// `Route` over any path.
    case route
    /// `CityCalendar.parseISO8601` (operator `--now` and claimload's clock probe).
    case iso8601
    /// hiredis's reader behind `RedisReplyReader` (what a Redis, or anything at its address,
    /// sends back), and claim.lua's one reader (`ClaimScript.item`), which must read the same
    /// item from a reply in place as from its owned copy.
    case redisReply
    /// `JWKSDecoder` (the identity provider's JWKS file, and private JWKs): what it accepts is
    /// bounded, every key has a `kid` and a pinned algorithm, and writes back to the same set.
    case jwks
    /// `TokenVerifier` over public keys (ES256 and EdDSA): never accepts a token whose `alg` is
    /// not its key's, nor one a key did not sign, and never one token as resident and merchant.
    case publicKeyToken

    /// The secret the token target verifies with; the corpus signs its seeds with it.
    static let secret = Array("fuzzing-secret-fuzzing-secret-32".utf8)
    /// Asked for the fields the gateway reads, as the gateway's server is.
    private static let parser = HTTPRequestParser(fields: ["authorization", "idempotency-key"])

    /// libFuzzer's entry: the first byte picks the target, the rest is its input.
    public static func dispatch(_ data: UnsafeRawBufferPointer) -> String? {
        guard let first = data.first else { return nil }
        let target = allCases[Int(first) % allCases.count]
        return target.check(UnsafeRawBufferPointer(rebasing: data.dropFirst()))
    }

    public func check(_ input: UnsafeRawBufferPointer) -> String? {
        switch self {
        case .httpRequest: Self.checkRequest(input)
        case .httpResponse: Self.checkResponse(input)
        case .flatJSON: Self.checkJSON(input)
        case .token: Self.checkToken(input)
        case .base64: Self.checkBase64(input)
        case .route: Self.checkRoute(input)
        case .iso8601: Self.checkISO8601(input)
        case .redisReply: Self.checkRedisReply(input)
        case .jwks: Self.checkJWKS(input)
        case .publicKeyToken: Self.checkPublicKeyToken(input)
        }
    }

    private static func checkRequest(_ input: UnsafeRawBufferPointer) -> String? {
        let whole = parser.parse(input)
        switch whole {
        case .request(let r, let consumed):
            if consumed < 1 || consumed > input.count { return "consumed \(consumed) of \(input.count)" }
            if r.body.count > parser.maxBodyBytes { return "body of \(r.body.count) bytes" }
            if r.path.utf8.count > parser.maxTargetBytes { return "path of \(r.path.utf8.count) bytes" }
            for field in r.fields where (field?.count ?? 0) > parser.maxHeadBytes {
                return "a field longer than the head"
            }
        case .failed, .incomplete: break
        }
        // Prefixes, sampled so long inputs stay fast.
        let step = max(1, input.count / 16)
        var cut = 0
        while cut < input.count {
            let prefix = UnsafeRawBufferPointer(rebasing: input[..<cut])
            switch parser.parse(prefix) {
            case .request(_, let consumed):
                if case .request(_, let wholeConsumed) = whole, consumed == wholeConsumed { break }
                if case .request(_, let wholeConsumed) = whole, consumed < wholeConsumed {
                    return "a prefix of \(cut) bytes parsed as a request of \(consumed), the whole as \(wholeConsumed)"
                }
                if case .request = whole {} else { return "a prefix parsed as a request, the whole did not" }
            case .failed(let e):
                if case .failed = whole {} else { return "a prefix of \(cut) bytes failed (\(e)), the whole did not" }
            case .incomplete: break
            }
            cut += step
        }
        return nil
    }

    private static func checkResponse(_ input: UnsafeRawBufferPointer) -> String? {
        if case .response(let r, let consumed) = HTTPResponseParser().parse(input) {
            if consumed > input.count { return "consumed \(consumed) of \(input.count)" }
            if r.body.count > consumed { return "body longer than what was consumed" }
        }
        return nil
    }

    private static func checkJSON(_ input: UnsafeRawBufferPointer) -> String? {
        guard let object = try? FlatJSONObject(parsing: input) else { return nil }
        if object.fields.count > FlatJSONObject.maxFields { return "\(object.fields.count) fields" }
        if Set(object.fields.map(\.key)).count != object.fields.count { return "a duplicate key was accepted" }
        if input.count > FlatJSONObject.maxBytes { return "accepted \(input.count) bytes" }
        return nil
    }

    /// What both token targets check first: no token is accepted as a resident's and a
    /// merchant's at once.
    private static func bothRoles(_ bytes: [UInt8], _ verifier: TokenVerifier) -> String? {
        let now = Instant(unixMilliseconds: 1_654_826_400_000)
        let resident = verifier.verify(bytes, now: now)
        let merchant = verifier.verifyMerchant(bytes, now: now)
        if case .success = resident, case .success = merchant { return "one token acted as resident and merchant" }
        return nil
    }

    private static func checkToken(_ input: UnsafeRawBufferPointer) -> String? {
        let verifier = TokenVerifier(secret: secret, clockSkewMilliseconds: 30_000)
        let bytes = Array(input)
        if let clash = bothRoles(bytes, verifier) { return clash }
        guard case .success(let payload) = verifier.payload(bytes) else { return nil }
        // Accepted: it must be exactly what the key signed, segment by segment.
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(parts[0]), let body = Base64URL.decode(parts[1]) else {
            return "accepted a token that does not split into three base64url segments"
        }
        let resigned = TokenSigner(secret: secret).sign(headerSegment: Base64URL.encode(header), payload: body)
        if Array(resigned.utf8) != bytes { return "accepted bytes the key did not sign" }
        if payload.fields.isEmpty, !body.isEmpty, body != Array("{}".utf8) { return "payload fields lost" }
        return nil
    }

    /// The public-key target's keys: fixed, so the corpus can sign seeds with them.
    static let signingKeys: [TokenSigningKey] = [
        (TokenAlgorithm.es256, "fz-es", UInt8(7)), (.edDSA, "fz-ed", UInt8(9)),
    ].compactMap { alg, id, fill in
        try? TokenSigningKey(id: id, algorithm: alg, privateMaterial: Array(repeating: fill, count: 32))
    }
    private static let publicKeys = TokenKeySet(keys: signingKeys.map(\.publicKey))

    private static func checkJWKS(_ input: UnsafeRawBufferPointer) -> String? {
        let bytes = Array(input)
        if case .success(let key) = JWKSDecoder.signingKey(bytes) {
            if key.publicKey.id != key.id || key.algorithm == .hs256 { return "a private key without its id or pinned" }
            guard case .success(let again) = JWKSDecoder.signingKey(key.privateJWK()), again == key else {
                return "a private key does not read back as itself"
            }
        }
        guard case .success(let set) = JWKSDecoder.keySet(bytes) else { return nil }
        if set.keys.isEmpty || set.keys.count > JWKSDecoder.maxKeys { return "accepted \(set.keys.count) keys" }
        if bytes.count > JWKSDecoder.maxBytes { return "accepted \(bytes.count) bytes" }
        if set.keys.contains(where: { $0.id == nil || $0.algorithm == .hs256 }) { return "a key without kid, or HS256" }
        if Set(set.keys.compactMap(\.id)).count != set.keys.count { return "a kid twice" }
        guard case .success(let written) = JWKSDecoder.keySet(JWKWriter.set(set.keys)), written == set else {
            return "the set does not write back as itself"
        }
        return nil
    }

    private static func checkPublicKeyToken(_ input: UnsafeRawBufferPointer) -> String? {
        let verifier = TokenVerifier(keys: publicKeys, clockSkewMilliseconds: 30_000)
        let bytes = Array(input)
        if let clash = bothRoles(bytes, verifier) { return clash }
        guard case .success = verifier.payload(bytes) else { return nil }
        // Accepted: its header must name one of the keys, with that key's algorithm.
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(parts[0]),
            let fields = try? FlatJSONObject(parsing: header), let kid = fields.string("kid"),
            let key = publicKeys.keys.first(where: { $0.id == kid })
        else { return "accepted a token whose header names none of the keys" }
        if fields.string("alg") != key.algorithm.rawValue {
            return "accepted \(fields.string("alg") ?? "no alg") on a \(key.algorithm.rawValue) key"
        }
        return nil
    }

    private static func checkBase64(_ input: UnsafeRawBufferPointer) -> String? {
        if let decoded = Base64URL.decode(input), Array(Base64URL.encode(decoded).utf8) != Array(input) {
            return "two encodings decode to the same bytes"
        }
        let back = Base64URL.decode(Array(Base64URL.encode(input).utf8))
        return back == Array(input) ? nil : "encode then decode changed the bytes"
    }

    /// Pools the route target knows: a path may name one of them, or any other id.
    private static let routePools = ["appliance-500", "a", "comprehensive-50"]

    private static func checkRoute(_ input: UnsafeRawBufferPointer) -> String? {
        let path = String(decoding: input, as: UTF8.self)
        let directory = PoolDirectory(ids: routePools)
        for method in [HTTPMethod.get, .post, .head, .other] {
            let id: String
            switch Route(method: method, path: input, pools: directory) {
            // Ids are checked where they are used (unknown pool: 404); routing must only cut
            // one whole, non-empty segment out of the path, and a known pool must be the one named.
            case .claim(.unknown(let s)), .progress(.unknown(let s)), .reverse(let s): id = s
            case .claim(.known(let i)), .progress(.known(let i)):
                guard routePools.indices.contains(i) else { return "routed to pool index \(i)" }
                id = routePools[i]
                if !path.hasPrefix("/v1/pools/\(id)") { return "routed \(path.debugDescription) to pool \(id)" }
            default: continue
            }
            if id.isEmpty || id.contains("/") || !path.contains(id) { return "routed id \(id.debugDescription)" }
        }
        return nil
    }

    private static func checkISO8601(_ input: UnsafeRawBufferPointer) -> String? {
        let calendar = CityCalendar(utcOffsetSeconds: 8 * 3600)
        guard let instant = calendar.parseISO8601(String(decoding: input, as: UTF8.self)) else { return nil }
        let text = calendar.iso8601(instant)
        return calendar.parseISO8601(text) == instant ? nil : "\(text) does not read back as itself"
    }

    private static func checkRedisReply(_ input: UnsafeRawBufferPointer) -> String? {
        let reader = RedisReplyReader()
        var replies = 0
        var broken: String?
        do {
            try reader.feed(input)
            while broken == nil, try reader.nextView({ view in broken = checkClaimReply(view) }) {
                replies += 1
                if replies > input.count { return "more replies than bytes" }
            }
        } catch {}
        return broken
    }

    /// A pool and window the reply target reads claims of.
    private static let claimPool: Pool = {
        let d = DateRange(
            first: CivilDate(year: 2022, month: 6, day: 10)!, last: CivilDate(year: 2022, month: 6, day: 30)!)!
        return Pool(
            id: "fuzz", kind: .appliance, name: "fuzz", faceFen: 50000, thresholdFen: 500000, limitPerWindow: 1,
            schedule: .daily(ranges: [d], opensAt: TimeOfDay(hour: 10, minute: 0)!, closesAt: .endOfDay),
            stockPerRelease: 10, validity: .endOfClaimDay, eligibility: EligibilityRule(), merchantCategories: [])
    }()

    private static func claims(_ n: Int) -> [ClaimRequest] {
        let calendar = CityCalendar(utcOffsetSeconds: 8 * 3600)
        guard let w = claimPool.schedule.window(id: "2022-06-10", in: calendar) else { return [] }
        return (0..<n).map { i in
            ClaimRequest(
                pool: claimPool, window: w, person: "p\(i)", claimedAt: w.opensAt, expiresAt: w.opensAt,
                idempotencyKey: nil, store: nil)
        }
    }

    /// claim.lua's one reader, in place and on the owned copy: the same item either way, for
    /// every claim of the reply read as a lone claim's and, when it has a batch's length, as a
    /// batch's; and what is read is never a fresh grant with a number that is not the id's.
    private static func checkClaimReply(_ view: RedisReplyView) -> String? {
        let owned = view.owned()
        var shapes = [1]
        if owned.count >= 2 { shapes.append(owned.count - 1) }
        for n in shapes {
            let requests = claims(n)
            for (i, r) in requests.enumerated() {
                let lent = ClaimScript.item(i, of: view, for: r, claims: n)
                let copied = ClaimScript.item(i, of: owned, for: r, claims: n)
                if lent != copied { return "in place \(lent), owned \(copied), from \(owned)" }
                if case .freshGrant(_, let number) = lent, number < 0, n == 1 {
                    return "a lone fresh grant with a negative number from \(owned)"
                }
            }
        }
        return nil
    }
}

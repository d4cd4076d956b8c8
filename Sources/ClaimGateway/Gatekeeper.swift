import ClaimAuth
import ClaimCore
import ClaimHTTP
import ClaimPOSIX

/// Who is asking, and whether they may ask now: resident and merchant tokens (public-key
/// tokens through this loop's cache of verified ones), and the per-person and per-address rate
/// limits. Each check returns the value or the refusal to send. One loop's; its tables are its
/// own.
final class Gatekeeper: EventHandler {
    private var verifier: TokenVerifier
    /// Resident tokens verified here before (public keys only: an HS256 check costs about what
    /// the cache's own SHA-256 does).
    private var cache: VerifiedTokenCache
    /// Verifies, on a thread of its own, the tokens of taps before a window opened (nil: off,
    /// or HS256, whose check costs what the cache's own SHA-256 does).
    private let ahead: TokenCheckWorker?
    /// Tokens handed to `ahead` and not back yet: each is handed over once, however often its
    /// resident taps meanwhile. Bounded by `ahead`'s ring.
    private var aheadPending = Set<TokenDigest>()
    /// The last outcomes taken from `ahead`, handed back to it with the next take.
    private var aheadOutcomes: [TokenCheckWorker.Outcome] = []
    /// The generation of keys `ahead` verifies with (a reload makes a new one).
    private var aheadKeys = 0
    /// The tokens the other loops verified, and this loop's way to send them its own (nil: one
    /// loop, or no cache).
    private let shares: LoopTokenShares?
    /// The generation of keys this loop verifies with (`TokenKeysBox`'s; 0: the configuration's),
    /// which every loop shares: a token another loop verified with other keys is not kept.
    private var keysGeneration = 0
    /// Tokens tapped once before an opening: a second tap hands the token to `ahead`.
    private var sightings: TokenSightings
    private let skew: Int64
    private let cacheEntries: Int
    private let loop: EventLoop
    private let clock: any ClaimClock
    /// Abuse limits, per person and per client address (nil: no limit); a bucket that is full
    /// again is reused, so a crowd of one-off claimants does not grow them without bound.
    private var personBuckets: RateLimitTable?
    private var addressBuckets: RateLimitTable?
    private let metrics: GatewayMetrics

    init(config: GatewayConfig, metrics: GatewayMetrics, loop: EventLoop) throws(POSIXError) {
        skew = config.tokenClockSkewMilliseconds
        cacheEntries = config.tokenCacheEntries
        verifier = TokenVerifier(keys: config.tokenKeys, clockSkewMilliseconds: skew)
        cache = VerifiedTokenCache(capacity: verifier.checksPublicKeys ? cacheEntries : 0)
        // Two places per cache entry (8 bytes each): one place per digest, so a resident's first
        // tap must survive the crowd's taps until their second (a crowd of 45,000 a loop
        // overwrites about a sixth of 262,144 places between one person's taps).
        sightings = TokenSightings(capacity: config.tokenCheckAheadBytes > 0 ? 2 * cacheEntries : 0)
        ahead =
            verifier.checksPublicKeys && cacheEntries > 0 && config.tokenCheckAheadBytes > 0
            ? try TokenCheckWorker(
                bytes: config.tokenCheckAheadBytes, keys: config.tokenKeys, clockSkewMilliseconds: skew,
                clock: config.clock) : nil
        shares =
            verifier.checksPublicKeys && cacheEntries > 0
            ? config.tokenShares.map { LoopTokenShares(shares: $0, loop: config.loopIndex) } : nil
        clock = config.clock
        personBuckets = config.personRate.map { RateLimitTable(limit: $0, seed: .random(in: .min ... .max)) }
        addressBuckets = config.addressRate.map { RateLimitTable(limit: $0, seed: .random(in: .min ... .max)) }
        self.metrics = metrics
        self.loop = loop
        if shares != nil {
            // Also between requests: tokens verified ahead on another loop before an opening
            // arrive while this loop answers `not_open` without reading a token. Sound unowned:
            // the loop runs its hooks only inside `GatewayServer.run`, while this lives.
            loop.addBeforeSleep { [unowned(unsafe) self] in
                if let shares, shares.anyPosted || shares.hasPending { exchangeShares(shares, now: clock.now()) }
            }
        }
        if let ahead {
            do { _ = try loop.register(ahead.ready.fd, .readable, handler: self, tag: 0) } catch {
                ahead.stop()
                throw error
            }
        }
    }

    /// Stops the thread that verifies ahead (the loop is done).
    func stop() { ahead?.stop() }

    var limitsAddresses: Bool { addressBuckets != nil }

    /// Verifies with `keys` from now on (a JWKS reload), forgetting every token verified with
    /// the keys before: a key taken out is refused from the next request.
    func replaceKeys(_ keys: TokenKeySet, generation: Int) {
        keysGeneration = generation
        verifier = TokenVerifier(keys: keys, clockSkewMilliseconds: skew)
        cache = VerifiedTokenCache(capacity: verifier.checksPublicKeys ? cacheEntries : 0)
        if let ahead { aheadKeys = ahead.replaceKeys(keys) }
    }

    /// A request from `address` over its limit: the refusal.
    func checkAddress(_ address: UInt32) -> GatewayResponse? {
        guard let key = addressBuckets?.key(UInt64(address)), let retry = addressBuckets?.take(key, now: loop.now)
        else { return nil }
        metrics.rateLimitedAddress.increment()
        return Self.rateLimited(retry, "too many requests from your address")
    }

    /// The same for a person (after their token).
    func checkPerson(_ person: String) -> GatewayResponse? {
        guard let key = personBuckets?.key(person), let retry = personBuckets?.take(key, now: loop.now) else {
            return nil
        }
        metrics.rateLimitedPerson.increment()
        return Self.rateLimited(retry, "too many requests; slow down")
    }

    /// The resident a request's bearer token names, or the 401 to answer.
    func resident(_ request: HTTPRequestView, now: Instant) -> Result<PersonToken, GatewayResponse> {
        guard let token = RequestFields.bearerToken(request) else {
            let why =
                RequestFields.hasOtherAuthorization(request)
                ? "Authorization must be a Bearer token" : "missing bearer token"
            return .failure(.error(.unauthorized, why, headers: "WWW-Authenticate: Bearer\r\n"))
        }
        if let shares, shares.anyPosted || shares.hasPending { exchangeShares(shares, now: now) }
        let hits = cache.hits
        var fresh: VerifiedToken?
        let result = cache.verify(token, now: now, with: verifier, fresh: &fresh)
        switch result {
        case .success: (cache.hits == hits ? metrics.tokensVerified : metrics.tokensCached).increment()
        case .failure: metrics.tokensRefused.increment()
        }
        if let fresh, let shares { shares.share(fresh, generation: keysGeneration) }
        return result.mapError { e in
            .error(.unauthorized, e.reason, headers: "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n")
        }
    }

    /// Hands the bearer token of a resident's second tap answered before its window opened to
    /// the thread that verifies ahead: at the opening the same resident's tap costs a cache
    /// lookup, not a signature check (ES256: 38 us of a core, with a city tapping at once).
    /// Only a second tap: whoever taps twice before the opening taps at it, and using idle CPU
    /// is not free on this machine (every answer's p99 0.2 -> 4 ms beside two idle-priority
    /// spinners: RESULTS.md, sixth session). Nothing is answered from it but through the cache,
    /// which holds only tokens that verified.
    func checkAhead(_ request: HTTPRequestView) {
        guard let ahead, cache.capacity > 0, let token = RequestFields.bearerToken(request),
            token.count <= TokenVerifier.maxTokenBytes
        else { return }
        let digest = TokenDigest(of: token)
        guard sightings.sawBefore(digest), !cache.holds(digest), !aheadPending.contains(digest) else { return }
        guard ahead.submit(token) else { return metrics.tokensAheadDropped.increment() }
        aheadPending.insert(digest)
    }

    /// Tokens verified ahead are back: the genuine ones join the cache, unless the keys they
    /// were checked with were replaced since.
    func handleEvents(_ events: EpollEvents, tag: UInt64) {
        guard let ahead, ahead.takeOutcomes(&aheadOutcomes) else { return }
        let now = clock.now()
        for outcome in aheadOutcomes {
            aheadPending.remove(outcome.digest)
            // Checked with keys replaced since: the resident's claim verifies it afresh.
            guard outcome.generation == aheadKeys else { continue }
            guard let verified = outcome.verified else {
                metrics.tokensAheadRefused.increment()
                continue
            }
            // The others get a copy made here: the thread's own is freed by the thread.
            if cache.keep(verified, now: now) { shares?.share(verified.ownCopy(), generation: keysGeneration) }
            metrics.tokensAhead.increment()
        }
    }

    /// Keeps the tokens other loops verified (before this loop verifies one itself), and posts
    /// its own that found a peer's lock held.
    private func exchangeShares(_ shares: LoopTokenShares, now: Instant) {
        if shares.hasPending { shares.flush() }
        let kept = shares.absorb(into: cache, generation: keysGeneration, now: now)
        if kept > 0 { metrics.tokensShared.increment(by: Int64(kept)) }
    }

    /// The resident a request's token names, within their rate limit, or the refusal to answer
    /// (the wallet's and the payment codes' way in; claims count their refusals themselves).
    func admittedResident(_ request: HTTPRequestView, now: Instant) -> Result<PersonToken, GatewayResponse> {
        resident(request, now: now).flatMap { p in checkPerson(p.person).map { .failure($0) } ?? .success(p) }
    }

    /// The merchant the bearer token names, or the 401 to answer.
    func merchant(_ request: HTTPRequestView, now: Instant) -> Result<MerchantToken, GatewayResponse> {
        guard let token = RequestFields.bearerToken(request) else {
            return .failure(
                .error(.unauthorized, "missing merchant bearer token", headers: "WWW-Authenticate: Bearer\r\n"))
        }
        return verifier.verifyMerchant(token, now: now).mapError { e in
            .error(
                .unauthorized, "merchant token: \(e.reason)",
                headers: "WWW-Authenticate: Bearer error=\"invalid_token\"\r\n")
        }
    }

    static func rateLimited(_ retryAfter: Int, _ message: String) -> GatewayResponse {
        .error(.rateLimited, message, headers: "Retry-After: \(retryAfter)\r\n") { $0.field("retry_after", retryAfter) }
    }
}

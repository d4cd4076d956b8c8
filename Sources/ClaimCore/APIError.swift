/// The error codes of the public API with their HTTP statuses (documented in docs/api.md).
public enum APIError: String, Hashable, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case unauthorized = "unauthorized"
    case notEligible = "not_eligible"
    case originNotAllowed = "origin_not_allowed"
    case notFound = "not_found"
    case unknownOrder = "unknown_order"
    case unknownPool = "unknown_pool"
    case methodNotAllowed = "method_not_allowed"
    case notOpen = "not_open"
    case closed = "closed"
    case soldOut = "sold_out"
    case paused = "paused"
    case limitReached = "limit_reached"
    case rateLimited = "rate_limited"
    case requestTimeout = "request_timeout"
    case payloadTooLarge = "payload_too_large"
    case headersTooLarge = "headers_too_large"
    case notImplemented = "not_implemented"
    case redisUnavailable = "redis_unavailable"
    case outcomeUnknown = "outcome_unknown"
    case internalError = "internal_error"

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .unauthorized: 401
        case .notEligible, .originNotAllowed: 403
        case .notFound, .unknownPool, .unknownOrder: 404
        case .methodNotAllowed: 405
        // 409: the request was fine but the state of the pool, or of this person's share of it,
        // refuses it; a retry gets the same answer. (429 would tell clients to retry by
        // themselves: it is for rate_limited only.)
        case .notOpen, .closed, .soldOut, .limitReached, .paused: 409
        case .rateLimited: 429
        case .payloadTooLarge: 413
        case .requestTimeout: 408
        case .headersTooLarge: 431
        case .notImplemented: 501
        case .redisUnavailable: 503
        // 504: the change was sent to Redis and no reply came; it may have been applied.
        case .outcomeUnknown: 504
        case .internalError: 500
        }
    }
}

import ClaimCore

/// A response before it is framed: status, JSON body, extra header lines.
public struct GatewayResponse: Hashable, Sendable {
    public var status: Int
    public var body: [UInt8]
    /// Complete header lines, each ending in CRLF (`Retry-After: 1\r\n`).
    public var headers: String
    public var contentType: String

    public init(status: Int, body: [UInt8], headers: String = "", contentType: String = "application/json") {
        self.status = status
        self.body = body
        self.headers = headers
        self.contentType = contentType
    }

    /// `{"error": code, "message": ...}` plus fields `extra` writes, with the code's status.
    public static func error(
        _ code: APIError, _ message: String, headers: String = "", extra: (inout JSONWriter) -> Void = { _ in }
    ) -> GatewayResponse {
        error(code: code.rawValue, status: code.status, message, headers: headers, extra: extra)
    }

    /// The same for codes outside `APIError` (redemption refusals).
    public static func error(
        code: String, status: Int, _ message: String, headers: String = "", extra: (inout JSONWriter) -> Void = { _ in }
    ) -> GatewayResponse {
        var w = JSONWriter(capacity: 96)
        w.beginObject()
        w.field("error", code)
        w.field("message", message)
        extra(&w)
        w.endObject()
        return GatewayResponse(status: status, body: w.bytes, headers: headers)
    }

    /// The call never reached Redis: nothing changed, a retry of any kind is safe. `reason`:
    /// why the store is refused, when that is known (a Redis set wrong).
    public static func redisUnavailable(reason: String? = nil) -> GatewayResponse {
        .error(.redisUnavailable, "voucher store unavailable, retry shortly", headers: "Retry-After: 1\r\n") { w in
            if let reason { w.field("reason", reason) }
        }
    }

    /// The call was sent and no reply came: Redis may have applied it, so the answer must not
    /// say "nothing happened". A retry Redis recognises (`retryWith`: the same Idempotency-Key,
    /// the same order id) is answered as the first time; the wallet shows what happened.
    public static func outcomeUnknown(_ what: String, retryWith: String) -> GatewayResponse {
        .error(
            .outcomeUnknown,
            "the voucher store did not answer in time, so the \(what) may have been applied: see GET /v1/me/vouchers, "
                + "or retry with \(retryWith), which is answered as the first attempt was",
            headers: "Retry-After: 1\r\n")
    }
}

/// Request checks return `Result<Value, GatewayResponse>`: the failure is the refusal to send.
extension GatewayResponse: Error {}

import ClaimCore
import ClaimHTTP

/// The header fields the gateway reads, by their index in the parser's list: the HTTP layer
/// hands over their values and the gateway alone says what they mean.
enum RequestFields {
    /// The names the parser is asked for, in index order.
    static let names: [StaticString] = ["authorization", "idempotency-key", "if-none-match", "origin"]
    static let authorization = 0
    static let idempotencyKey = 1
    static let ifNoneMatch = 2
    static let origin = 3

    /// The bytes after `Bearer ` (any case) in `Authorization`, if it is a bearer token.
    static func bearerToken(_ request: HTTPRequestView) -> UnsafeRawBufferPointer? {
        guard let value = request.field(authorization), value.count > 7,
            ByteMatch.hasPrefixIgnoringCase(value, "bearer ")
        else { return nil }
        return UnsafeRawBufferPointer(rebasing: value[7...])
    }

    /// An `Authorization` that is not a bearer token (Basic, a bare word).
    static func hasOtherAuthorization(_ request: HTTPRequestView) -> Bool {
        request.field(authorization) != nil && bearerToken(request) == nil
    }

    static func idempotencyKey(_ request: HTTPRequestView) -> UnsafeRawBufferPointer? { request.field(idempotencyKey) }
}

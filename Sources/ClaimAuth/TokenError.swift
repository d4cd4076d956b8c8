/// Why a bearer token was refused. Every case is answered `401 unauthorized`; the case is for
/// logs and tests, and its `reason` is safe to show the client.
public enum TokenError: Error, Hashable, Sendable {
    case missing
    case tooLong
    case malformed
    case unsupportedAlgorithm
    case badSignature
    case expired
    case notYetValid
    case unknownKey
    case badClaim(String)

    public var reason: String {
        switch self {
        case .missing: "missing bearer token"
        case .tooLong: "token too long"
        case .malformed: "malformed token"
        case .unsupportedAlgorithm: "token algorithm must be HS256"
        case .badSignature: "bad token signature"
        case .expired: "token expired"
        case .notYetValid: "token not yet valid"
        case .unknownKey: "token signed with an unknown key"
        case .badClaim(let c): "bad token claim \(c)"
        }
    }
}

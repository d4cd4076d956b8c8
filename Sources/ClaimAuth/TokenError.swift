/// Why a bearer token was refused. Every case is answered `401 unauthorized`; the case is for
/// logs and tests, and its `reason` is safe to show the client.
public enum TokenError: Error, Hashable, Sendable {
    case missing
    case tooLong
    case malformed
    case unsupportedAlgorithm
    /// The header's `alg` is not the algorithm of the key its `kid` names.
    case wrongAlgorithm
    /// The header names no key, and every key has an id.
    case missingKeyID
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
        case .unsupportedAlgorithm: "token algorithm not accepted"
        case .wrongAlgorithm: "token algorithm is not its key's"
        case .missingKeyID: "token header names no key (kid)"
        case .badSignature: "bad token signature"
        case .expired: "token expired"
        case .notYetValid: "token not yet valid"
        case .unknownKey: "token signed with an unknown key"
        case .badClaim(let c): "bad token claim \(c)"
        }
    }
}

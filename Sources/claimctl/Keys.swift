import ArgumentParser
import ClaimAuth
import ClaimCore
import ClaimPOSIX
import ClaimSetup
import Foundation

/// `claimctl keys`: the identity provider's side of public-key tokens, for demos, load tests and
/// rotations: a private key file for whoever signs, and the JWKS gateways verify with.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate signing keys and keep the JWKS gateways verify tokens with.",
        subcommands: [Generate.self, Remove.self, Speed.self])

    /// `claimctl keys generate --kid K --out DIR [--jwks FILE]`.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write a new private key (DIR/KID.jwk, mode 0600) and add its public key to the JWKS (a rotation keeps the old keys)."
        )
        @Option(help: "Key id, 1-64 characters of [A-Za-z0-9_.-].") var kid: String
        @Option(
            help:
                "ES256 (P-256), RS256 (RSA 2048: the cheapest to verify, the dearest to sign; RESULTS.md) or EdDSA (Ed25519)."
        )
        var alg = "ES256"
        @Option(help: "Folder for the private key.") var out: String
        @Option(help: "JWKS to add the public key to (created if missing; default DIR/jwks.json).") var jwks: String?

        func run() throws {
            guard let algorithm = TokenAlgorithm(rawValue: alg), algorithm != .hs256 else {
                throw ValidationError("--alg must be RS256, ES256 or EdDSA")
            }
            let key: TokenSigningKey
            do { key = try TokenSigningKey.generate(algorithm, id: kid) } catch { throw SetupError(error.description) }
            let set = jwks ?? out + "/jwks.json"
            var keys: [VerificationKey] = []
            if FileManager.default.fileExists(atPath: set) { keys = try TokenKeyFiles.loadJWKS(set).keys }
            guard !keys.contains(where: { $0.id == kid }) else {
                throw SetupError("\(set) already has a key \(kid): pick another --kid")
            }
            guard keys.count < JWKSDecoder.maxKeys else {
                throw SetupError("\(set) has \(keys.count) keys already: remove one first (claimctl keys remove)")
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let privatePath = out + "/" + kid + ".jwk"
            try Self.write(key.privateJWK(), to: privatePath, mode: 0o600)
            try Self.write(JWKWriter.set(keys + [key.publicKey]), to: set, mode: 0o644)
            print("private key \(privatePath)")
            print("jwks \(set) (keys: \((keys + [key.publicKey]).compactMap(\.id).joined(separator: ", ")))")
        }

        /// Writes beside the file and renames over it, so a gateway watching it never reads half.
        static func write(_ bytes: [UInt8], to path: String, mode: Int) throws {
            let temporary = path + ".tmp-\(getpid())"
            guard
                FileManager.default.createFile(
                    atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: mode])
            else { throw SetupError("cannot write \(temporary)") }
            guard rename(temporary, path) == 0 else { throw SetupError("cannot move \(temporary) to \(path)") }
        }
    }

    /// `claimctl keys remove --kid K --jwks FILE`: the end of a rotation.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a key out of the JWKS: gateways refuse its tokens from their next reload.")
        @Option(help: "Key id to remove.") var kid: String
        @Option(help: "The JWKS file.") var jwks: String

        func run() throws {
            let keys = try TokenKeyFiles.loadJWKS(jwks).keys
            guard keys.contains(where: { $0.id == kid }) else {
                throw SetupError("\(jwks) has no key \(kid); keys: \(keys.compactMap(\.id).joined(separator: ", "))")
            }
            let left = keys.filter { $0.id != kid }
            guard !left.isEmpty else { throw SetupError("\(kid) is the last key of \(jwks): add its successor first") }
            try Generate.write(JWKWriter.set(left), to: jwks, mode: 0o644)
            print("jwks \(jwks) (keys: \(left.compactMap(\.id).joined(separator: ", ")))")
        }
    }

    /// `claimctl keys speed`: what one verification costs with each algorithm, on this machine,
    /// as `openssl speed` does for ciphers (loadtest/verify-cost.sh counts its instructions).
    struct Speed: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Verify N distinct resident tokens per algorithm (ES256, EdDSA, HS256) and print the time each took.")
        @Option(help: "Tokens to verify per algorithm (each a different person).") var count = 2000
        @Option(help: "Only this algorithm (ES256, EdDSA, HS256).") var alg: String?
        @Flag(help: "Through a loop's cache of verified tokens, each token verified twice (the second is a hit).")
        var cached = false

        func run() throws {
            guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be 1...1000000") }
            let algorithms =
                try alg.map {
                    guard let a = TokenAlgorithm(rawValue: $0) else {
                        throw ValidationError("--alg: ES256, EdDSA or HS256")
                    }
                    return [a]
                } ?? TokenAlgorithm.allCases
            let now = SystemClock().now()
            // Wall time of the verifications alone, from the monotonic clock a loop would own.
            let clock: any LoopClock = SystemLoopClock()
            let facts = EligibilityFacts(region: "210100", realName: true, cardPrefix: "62", account: .individual)
            for algorithm in algorithms {
                let signing: TokenSigning =
                    algorithm == .hs256
                    ? .sharedSecret(TokenKeyring(secret: Array("speed-test-secret-32-bytes-long!".utf8)))
                    : .privateKey(try TokenSigningKey.generate(algorithm, id: "speed"))
                let signer = signing.signer()
                let tokens = (0..<count).map {
                    Array(
                        signer.sign(
                            PersonToken(person: "p\($0)", facts: facts, expiresAt: now.adding(milliseconds: 3_600_000))
                        ).utf8)
                }
                let verifier = TokenVerifier(keys: signing.verificationKeys)
                let cache = VerifiedTokenCache(capacity: cached ? 65_536 : 0)
                let start = clock.nanoseconds()
                var accepted = 0
                for _ in 0..<(cached ? 2 : 1) {
                    for t in tokens {
                        if case .success = t.withUnsafeBytes({ cache.verify($0, now: now, with: verifier) }) {
                            accepted += 1
                        }
                    }
                }
                let nanoseconds = clock.nanoseconds() - start
                let per = Double(nanoseconds) / Double(accepted) / 1000
                print(
                    "\(algorithm.rawValue)\(cached ? " cached (hits \(cache.hits))" : ""): \(accepted) verifications, "
                        + "\(String(format: "%.2f", per)) us each (\(Int(1e6 / max(per, 0.001)))/s on one core)")
                guard accepted == count * (cached ? 2 : 1) else { throw SetupError("a token did not verify") }
            }
        }
    }
}

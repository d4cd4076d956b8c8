import ClaimCore
import ClaimTestSupport
import Foundation
import Testing

@testable import ClaimRedis

/// Issue "Release day in the operators' hands": open and reset read a seed file while stats
/// and audit read Redis, two sources of truth. Redis now holds the programme, versioned.
@Suite struct ProgrammeVersionsTests {
    /// The programme keys are global: a Redis of its own, not the shared one.
    let redis: TestRedis
    init() throws { redis = try TestRedis.isolated() }

    @Test func aLoadIsTheNextVersionAndTheSameBytesAgainChangeNothing() throws {
        let client = try redis.client()
        #expect(try ProgrammeVersions.current(client) == nil)
        let seed = try #require(TestProgramme.seedFileBytes())
        #expect(try ProgrammeVersions.record(client, seed: seed) == (1, true))
        // A resend after a lost reply, or the same file loaded twice.
        #expect(try ProgrammeVersions.record(client, seed: seed) == (1, false))
        let edited = Array(
            String(decoding: seed, as: UTF8.self).replacingOccurrences(
                of: "Comprehensive 50 off 200", with: "Comprehensive 50 off 200 (reissued)"
            ).utf8)
        #expect(try ProgrammeVersions.record(client, seed: edited) == (2, true))
        #expect(try ProgrammeVersions.currentVersion(client) == 2)
        let loaded = try #require(try ProgrammeVersions.currentProgramme(client))
        #expect(loaded.version == 2)
        #expect(loaded.programme.pool(id: "comprehensive-50")?.name == "Comprehensive 50 off 200 (reissued)")
        // Loading the first file again makes it current again, as a new version: the history stays.
        #expect(try ProgrammeVersions.record(client, seed: seed) == (3, true))
        #expect(try client.command(["HLEN", ProgrammeVersions.versionsKey]).integer == 3)
        #expect(try ProgrammeVersions.current(client)?.seed == seed)
        // Decoded in a release build too (a tuple pattern over typed throws once came out corrupt).
        #expect(try ProgrammeVersions.currentProgramme(client)?.programme.pool(id: "appliance-500")?.faceFen == 50000)
    }

    @Test func aStoredVersionThatNoLongerDecodesIsNamed() throws {
        let client = try redis.client()
        _ = try ProgrammeVersions.record(client, seed: Array(#"{"programme": {}}"#.utf8))
        #expect(throws: RedisError.self) { try ProgrammeVersions.currentProgramme(client) }
        do {
            _ = try ProgrammeVersions.currentProgramme(client)
        } catch {
            #expect("\(error)".contains("programme version 1"))
        }
    }
}

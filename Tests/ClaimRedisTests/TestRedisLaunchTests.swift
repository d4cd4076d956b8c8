import ClaimPOSIX
import ClaimRedis
import ClaimTestSupport
import Foundation
import Testing

/// The test servers start even when the free port they were given is taken before they bind it:
/// the suite's own connections take ephemeral ports all the time (CI once lost a cluster test to
/// a node that found its bus port taken and exited, and a 10 s wait for a PING no one answered).
@Suite struct TestRedisLaunchTests {
    /// Hands out `first`, then free ports.
    final class Ports: @unchecked Sendable {
        var first: [Int]
        init(first: [Int]) { self.first = first }
        func next() throws(TestRedisError) -> Int {
            if !first.isEmpty { return first.removeFirst() }
            return try TestRedis.freePort()
        }
    }

    @Test func aServerWhosePortIsTakenStartsOnAnother() throws {
        let holder = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        defer { FileDescriptor.close(holder) }
        let taken = TCPSocket.localPort(holder)
        let ports = Ports(first: [taken])
        let started = ContinuousClock.now
        let redis = try TestRedis.isolated(arguments: "", ports: ports.next)
        #expect(redis.endpoint.port != taken)
        #expect(try redis.client().command(["PING"]) == .status("PONG"))
        // Given up on the taken port when the server exited, not after the 10 s PING wait.
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aClusterNodeWhoseBusPortIsTakenStartsOnAnother() throws {
        let holder = try TCPSocket.listen(host: "127.0.0.1", port: 0)
        defer { FileDescriptor.close(holder) }
        let taken = TCPSocket.localPort(holder)
        // The node's port is free; its cluster bus port is the one held.
        let ports = Ports(first: [try TestRedis.freePort(), taken])
        let started = ContinuousClock.now
        let node = try TestRedis.isolated(arguments: "--cluster-enabled yes", ports: ports.next)
        #expect(node.clusterBusPort != taken)
        #expect(node.clusterBusPort != nil)
        let info = try node.client().command(["CLUSTER", "INFO"]).text ?? ""
        #expect(info.contains("cluster_enabled:1") || info.contains("cluster_state"))
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aPortAnotherRedisAnswersOnIsNotTakenForOurs() throws {
        // Another test's server on the port: its PONG must not pass for ours.
        let other = try TestRedis.isolated()
        let ports = Ports(first: [other.endpoint.port])
        let redis = try TestRedis.isolated(arguments: "", ports: ports.next)
        #expect(redis.endpoint.port != other.endpoint.port)
    }
}

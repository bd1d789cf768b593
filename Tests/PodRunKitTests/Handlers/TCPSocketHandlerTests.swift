import Foundation
import Testing

@testable import PodRunKit

// tcpSocket probes against loopback sockets.

@Suite struct TCPSocketHandlerTests {
    @Test func openPortSucceeds() async throws {
        let t = try HandlerTestFixture()
        let listener = try LoopbackListener()
        let outcome = await t.probes.run(.tcpSocket(TCPSocketAction(port: .int(listener.port))), timeout: .seconds(1), context: t.context())
        #expect(outcome == .success)
    }

    @Test func namedPortAndHostName() async throws {
        let t = try HandlerTestFixture()
        let listener = try LoopbackListener()
        let context = t.context(ports: ["db": listener.port])
        let byName = await t.probes.run(.tcpSocket(TCPSocketAction(port: .string("db"))), timeout: .seconds(1), context: context)
        #expect(byName == .success)
        // "localhost" may list ::1 first, where nothing listens: the next address is tried.
        let byHostName = await t.probes.run(.tcpSocket(TCPSocketAction(port: .int(listener.port), host: "localhost")), timeout: .seconds(1), context: context)
        #expect(byHostName == .success)
        let unknown = await t.probes.run(.tcpSocket(TCPSocketAction(port: .string("cache"))), timeout: .seconds(1), context: context)
        #expect(unknown == .failure(message: "TCP 127.0.0.1:cache: no port named \"cache\" in container \"app\""))
    }

    @Test func closedPortIsRefused() async throws {
        let t = try HandlerTestFixture()
        let port = try LoopbackListener.unusedPort()
        let outcome = await t.probes.run(.tcpSocket(TCPSocketAction(port: .int(port))), timeout: .seconds(1), context: t.context())
        #expect(outcome == .failure(message: "TCP 127.0.0.1:\(port): connection refused"))
    }

    @Test func unknownHostFails() async throws {
        let t = try HandlerTestFixture()
        let outcome = await t.probes.run(.tcpSocket(TCPSocketAction(port: .int(80), host: "podrun-no-such-host.invalid")), timeout: .seconds(30), context: t.context())
        #expect(outcome == .failure(message: "TCP podrun-no-such-host.invalid:80: no such host"))
    }

    /// A listener whose accept queue is full (backlog 0, never accepting) drops new SYNs, so a
    /// connect neither succeeds nor fails: the probe must end at its deadline.
    @Test func fullBacklogTimesOut() async throws {
        let t = try HandlerTestFixture()
        let listener = try LoopbackListener(backlog: 0)
        for _ in 0..<3 { listener.connectWithoutAccepting() }
        let (outcome, elapsed) = await timed {
            await t.probes.run(.tcpSocket(TCPSocketAction(port: .int(listener.port))), timeout: .milliseconds(500), context: t.context())
        }
        #expect(outcome == .failure(message: "timed out after 500ms"))
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(10))
    }
}

import Foundation
import Testing

@testable import PodRunKit

// httpGet probes against a scripted server on a loopback socket (LoopbackHTTPServer).

@Suite struct HTTPGetHandlerTests {
    static let routes: [String: LoopbackHTTPServer.Reply] = [
        "/ok": .status(200),
        "/created": .status(204),
        "/notmodified": .status(304),
        "/missing": .status(404),
        "/unavailable": .status(503),
        "/moved": .redirect(301, to: "/ok"),
        "/moved-to-failure": .redirect(302, to: "/unavailable"),
        "/elsewhere": .redirect(302, to: "http://podrun-other-host.invalid:1/ok"),
        "/loop": .redirect(302, to: "/loop"),
        "/silent": .silent,
        "/large": .large(4 << 20),
    ]

    struct Case: Sendable, CustomStringConvertible {
        let path: String
        /// nil: success; else the failure message after `HTTP GET http://127.0.0.1:PORT`.
        let failure: String?
        /// Paths the server should have seen, in order.
        let seen: [String]
        var description: String { path }
    }

    @Test(arguments: [
        Case(path: "/ok", failure: nil, seen: ["/ok"]),
        Case(path: "/large", failure: nil, seen: ["/large"]),
        Case(path: "/created", failure: nil, seen: ["/created"]),
        Case(path: "/notmodified", failure: nil, seen: ["/notmodified"]),
        Case(path: "/missing", failure: "/missing: status 404", seen: ["/missing"]),
        Case(path: "/unavailable", failure: "/unavailable: status 503", seen: ["/unavailable"]),
        Case(path: "/moved", failure: nil, seen: ["/moved", "/ok"]),
        Case(path: "/moved-to-failure", failure: "/moved-to-failure: status 503", seen: ["/moved-to-failure", "/unavailable"]),
        Case(path: "/elsewhere", failure: nil, seen: ["/elsewhere"]),
        Case(path: "/loop", failure: "/loop: stopped after 10 redirects", seen: Array(repeating: "/loop", count: 10)),
    ])
    func statuses(_ c: Case) async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        let outcome = await t.probes.run(.httpGet(HTTPGetAction(path: c.path, port: .int(server.port))), timeout: .seconds(30), context: t.context())
        let expected: ProbeOutcome = c.failure.map { .failure(message: "HTTP GET http://127.0.0.1:\(server.port)\($0)") } ?? .success
        #expect(outcome == expected)
        #expect(server.requests.map(\.path) == c.seen)
    }

    @Test func offHostRedirectIsNotFollowedAndNoted() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        let report = await t.probes.check(.httpGet(HTTPGetAction(path: "/elsewhere", port: .int(server.port))), timeout: .seconds(30), context: t.context())
        #expect(report.outcome == .success)
        #expect(report.note == "HTTP GET http://127.0.0.1:\(server.port)/elsewhere: redirect (status 302) to http://podrun-other-host.invalid:1/ok not followed: another host")
    }

    @Test func defaultAndCustomHeadersAreSent() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        let plain = HTTPGetAction(path: "/ok", port: .int(server.port))
        #expect(await t.probes.run(.httpGet(plain), timeout: .seconds(30), context: t.context()) == .success)
        let custom = HTTPGetAction(
            path: "/ok?verbose=1", port: .int(server.port),
            httpHeaders: [
                HTTPHeader(name: "X-Probe", value: "one"), HTTPHeader(name: "X-Probe", value: "two"),
                HTTPHeader(name: "user-agent", value: "my-checker/2"), HTTPHeader(name: "Accept", value: "application/json"),
            ])
        #expect(await t.probes.run(.httpGet(custom), timeout: .seconds(30), context: t.context()) == .success)

        let requests = server.requests
        try #require(requests.count == 2)
        #expect(requests[0].headers["user-agent"] == ["kube-probe/podrun"])
        #expect(requests[0].headers["accept"] == ["*/*"])
        #expect(requests[0].headers["connection"] == ["close"])
        #expect(requests[1].headers["user-agent"] == ["my-checker/2"])
        #expect(requests[1].headers["accept"] == ["application/json"])
        let probeValues = requests[1].headers["x-probe"] ?? []
        #expect(probeValues == ["one", "two"] || probeValues == ["one,two"] || probeValues == ["one, two"])
    }

    @Test func namedPortIsResolvedThroughTheContext() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        let context = t.context(ports: ["web": server.port])
        #expect(await t.probes.run(.httpGet(HTTPGetAction(path: "/ok", port: .string("web"))), timeout: .seconds(30), context: context) == .success)
        let unknown = await t.probes.run(.httpGet(HTTPGetAction(path: "/ok", port: .string("admin"))), timeout: .seconds(30), context: context)
        #expect(unknown == .failure(message: "HTTP GET http://127.0.0.1:admin/ok: no port named \"admin\" in container \"app\""))
        #expect(server.requests.count == 1)
    }

    @Test func connectionRefused() async throws {
        let t = try HandlerTestFixture()
        let port = try LoopbackListener.unusedPort()
        let outcome = await t.probes.run(.httpGet(HTTPGetAction(path: "/healthz", port: .int(port))), timeout: .seconds(30), context: t.context())
        #expect(outcome == .failure(message: "HTTP GET http://127.0.0.1:\(port)/healthz: connection refused"))
    }

    /// A server that accepts and never answers: the probe fails at its deadline, not later.
    @Test func silentServerTimesOut() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        let (outcome, elapsed) = await timed {
            await t.probes.run(.httpGet(HTTPGetAction(path: "/silent", port: .int(server.port))), timeout: .seconds(1), context: t.context())
        }
        #expect(outcome == .failure(message: "timed out after 1s"))
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(10))
    }

    @Test func httpsAgainstPlainHTTPFailsClearly() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        let outcome = await t.probes.run(
            .httpGet(HTTPGetAction(path: "/ok", port: .int(server.port), scheme: .https)), timeout: .seconds(30), context: t.context())
        guard case .failure(let message) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(message.hasPrefix("HTTP GET https://127.0.0.1:\(server.port)/ok: TLS handshake failed ("))
        #if canImport(FoundationNetworking)
        // OpenSSL's "wrong version number" (the first bytes back were not TLS) earns the hint.
        #expect(message.hasSuffix("): is the port serving plain HTTP?"))
        #endif
    }

    /// Timed-out and cancelled requests leave nothing registered with the shared session.
    @Test func abandonedRequestsAreForgotten() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        async let slow = t.probes.run(.httpGet(HTTPGetAction(path: "/silent", port: .int(server.port))), timeout: .milliseconds(200), context: t.context())
        async let big = t.probes.run(.httpGet(HTTPGetAction(path: "/large", port: .int(server.port))), timeout: .seconds(30), context: t.context())
        #expect(await slow == .failure(message: "timed out after 200ms"))
        #expect(await big == .success)
        #expect(await eventually { HTTPProbeHelper.shared.pendingCount == 0 })
    }

    @Test func cancellationEndsTheRequestPromptly() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: Self.routes)
        defer { server.stop() }
        let task = Task {
            await t.probes.run(.httpGet(HTTPGetAction(path: "/silent", port: .int(server.port))), timeout: .seconds(30), context: t.context())
        }
        #expect(await eventually { server.requests.count == 1 })
        task.cancel()
        let (outcome, elapsed) = await timed { await task.value }
        #expect(outcome == .failure(message: "cancelled"))
        #expect(elapsed < .seconds(10))
    }
}

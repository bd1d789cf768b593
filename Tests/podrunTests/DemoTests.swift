import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// End-to-end tests of the `podrun-demo` binary: every test starts real processes, waits for
/// their log lines with timeouts, and kills and reaps them in a `defer`, even when it fails.
@Suite("podrun-demo")
struct DemoTests {
    // MARK: serve

    @Test func serveHealthReadinessFailAndTerm() throws {
        let server = try ChildProcess(["serve", "--port", "0", "--ready-after", "2s"])
        defer { server.stop() }
        let port = try Self.port(of: server)

        #expect(try DemoHTTPClient.request(port: port, path: "/healthz").status == 200)
        #expect(try DemoHTTPClient.request(port: port, path: "/readyz").status == 503)
        try server.waitForLine(containing: "serve: ready after 2s")
        #expect(try DemoHTTPClient.request(port: port, path: "/readyz").status == 200)

        #expect(try DemoHTTPClient.request(port: port, path: "/fail").status == 200)
        try server.waitForLine(containing: "now failing")
        #expect(try DemoHTTPClient.request(port: port, path: "/healthz").status == 503)
        #expect(try DemoHTTPClient.request(port: port, path: "/readyz").status == 503)
        #expect(try DemoHTTPClient.request(port: port, path: "/recover").status == 200)
        #expect(try DemoHTTPClient.request(port: port, path: "/healthz").text == "ok\n")
        #expect(try DemoHTTPClient.request(port: port, path: "/readyz").status == 200)

        server.send(SIGTERM)
        #expect(try server.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
        #expect(server.lines().contains { $0.contains("SIGTERM, stopped accepting") })
    }

    @Test func serveFailsAfterDelay() throws {
        let server = try ChildProcess(["serve", "--port", "0", "--fail-after", "300ms", "--quiet"])
        defer { server.stop() }
        let port = try Self.port(of: server)
        try server.waitForLine(containing: "now failing (--fail-after 300ms)")
        #expect(try DemoHTTPClient.request(port: port, path: "/healthz").status == 503)
    }

    @Test func serveStaticFilesWithoutEscaping() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = directory.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try "<h1>home</h1>\n".write(to: site.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try "hello\n".write(to: site.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        try "secret\n".write(to: directory.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)

        let server = try ChildProcess(["serve", "--port", "0", "--dir", site.path])
        defer { server.stop() }
        let port = try Self.port(of: server)

        #expect(try DemoHTTPClient.request(port: port, path: "/").text == "<h1>home</h1>\n")
        #expect(try DemoHTTPClient.request(port: port, path: "/hello.txt").text == "hello\n")
        #expect(try DemoHTTPClient.request(port: port, path: "/missing.txt").status == 404)
        for escape in ["/../secret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt"] {
            let response = try DemoHTTPClient.request(port: port, path: escape)
            #expect(response.status == 403, "\(escape)")
            #expect(!response.text.contains("secret"), "\(escape)")
        }
        let head = try DemoHTTPClient.request(port: port, path: "/hello.txt", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(try DemoHTTPClient.request(port: port, path: "/", method: "POST").status == 405)
    }

    @Test func serveReportsPortInUse() throws {
        let first = try ChildProcess(["serve", "--port", "0"])
        defer { first.stop() }
        let port = try Self.port(of: first)
        let second = try ChildProcess(["serve", "--port", String(port)])
        defer { second.stop() }
        #expect(try second.waitForExit() == ChildProcess.Exit(status: 1, bySignal: false))
        #expect(second.lines(.stderr) == ["serve: port \(port) is in use"])
    }

    // MARK: crash, sleep, usage

    @Test func crashExitsWithCode() throws {
        let crash = try ChildProcess(["crash", "--code", "3", "--after", "100ms"])
        defer { crash.stop() }
        #expect(try crash.waitForExit() == ChildProcess.Exit(status: 3, bySignal: false))
        #expect(crash.lines().first == "crash: will exit with code 3 in 100ms")
    }

    @Test func crashDiesBySignal() throws {
        let crash = try ChildProcess(["crash", "--signal", "TERM", "--after", "0"])
        defer { crash.stop() }
        #expect(try crash.waitForExit() == ChildProcess.Exit(status: SIGTERM, bySignal: true))
    }

    @Test func sleepIgnoreTermSurvivesSigterm() throws {
        let sleeper = try ChildProcess(["sleep", "--ignore-term"])
        defer { sleeper.stop() }
        try sleeper.waitForLine(containing: "sleeping forever, ignoring SIGTERM")
        sleeper.send(SIGTERM)
        try sleeper.waitForLine(containing: "sleep: SIGTERM ignored")
        #expect(sleeper.isRunning)
        sleeper.send(SIGINT)
        #expect(try sleeper.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
    }

    @Test func sleepTermDelayAndDuration() throws {
        let delayed = try ChildProcess(["sleep", "--term-delay", "200ms"])
        defer { delayed.stop() }
        try delayed.waitForLine(containing: "sleeping forever")
        delayed.send(SIGTERM)
        try delayed.waitForLine(containing: "exiting in 200ms")
        #expect(try delayed.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))

        let short = try ChildProcess(["sleep", "0.2"])
        defer { short.stop() }
        #expect(try short.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
        #expect(short.lines().last == "sleep: done after 200ms")
    }

    @Test(arguments: [
        ["serve", "--bogus"], ["serve", "--port", "http"], ["crash", "--after", "soon"],
        ["proxy", "--listen", "0"], ["nonsense"], [],
    ])
    func badUsageExits2(arguments: [String]) throws {
        let process = try ChildProcess(arguments)
        defer { process.stop() }
        #expect(try process.waitForExit() == ChildProcess.Exit(status: 2, bySignal: false))
        #expect(!process.lines(.stderr).isEmpty)
    }

    @Test func linesPrintsExactCountAndWidth() throws {
        let lines = try ChildProcess(["lines", "--count", "5000", "--width", "40", "--prefix", "msg"])
        defer { lines.stop() }
        #expect(try lines.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
        let output = lines.lines()
        #expect(output.count == 5000)
        #expect(output.first?.hasPrefix("msg 1 ") == true)
        #expect(output.last?.hasPrefix("msg 5000 ") == true)
        #expect(output.allSatisfy { $0.count == 40 })
    }

    // MARK: proxy

    @Test func proxyRelaysBothWaysAndSurvivesDeadTarget() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(payload).write(to: directory.appendingPathComponent("payload.bin"))

        let server = try ChildProcess(["serve", "--port", "0", "--dir", directory.path])
        defer { server.stop() }
        let serverPort = try Self.port(of: server)
        let proxy = try ChildProcess(["proxy", "--listen", "0", "--to", "127.0.0.1:\(serverPort)"])
        defer { proxy.stop() }
        let proxyPort = try Self.port(of: proxy)

        // Large response downstream.
        let download = try DemoHTTPClient.request(port: proxyPort, path: "/payload.bin")
        #expect(download.status == 200)
        #expect(download.body == payload)
        try proxy.waitForLine(containing: "closed after")

        // Request upstream, then a half-close: the answer must still come back.
        let answer = try DemoHTTPClient.request(port: proxyPort, path: "/healthz", halfClose: true)
        #expect(answer.text == "ok\n")
        try server.waitForLine(containing: "GET /healthz 200")

        // Target gone: the client is closed, the proxy logs it and keeps running.
        server.send(SIGTERM)
        _ = try server.waitForExit()
        let empty = try DemoHTTPClient.exchange(port: proxyPort, send: Array("GET / HTTP/1.1\r\n\r\n".utf8), halfClose: false)
        #expect(empty.isEmpty)
        try proxy.waitForLine(containing: "failed:")
        #expect(proxy.isRunning)
        proxy.send(SIGTERM)
        #expect(try proxy.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
    }

    // MARK: files

    @Test func tailFollowsAppendsTruncationAndRecreation() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("app.log")

        let tail = try ChildProcess(["tail", "--file", log.path])
        defer { tail.stop() }
        try tail.waitForLine(containing: "waiting for", on: .stderr)

        let writer = try ChildProcess(["write", "--file", log.path, "--every", "50ms", "--count", "3", "--text", "hello"])
        defer { writer.stop() }
        #expect(try writer.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
        try tail.waitForLine(containing: "hello 3")
        #expect(tail.lines().filter { $0.contains("hello") }.count == 3)

        try Self.append("more 1\nmo", to: log)
        try tail.waitForLine(containing: "more 1")
        try Self.append("re 2\n", to: log)
        try tail.waitForLine(containing: "more 2")

        try Data().write(to: log)
        try tail.waitForLine(containing: "truncated", on: .stderr)
        try Self.append("after truncation\n", to: log)
        try tail.waitForLine(containing: "after truncation")

        try FileManager.default.removeItem(at: log)
        try "recreated\n".write(to: log, atomically: true, encoding: .utf8)
        try tail.waitForLine(containing: "recreated")
        #expect(tail.lines().allSatisfy { !$0.hasPrefix("tail:") })

        tail.send(SIGTERM)
        #expect(try tail.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
    }

    @Test func refreshRewritesPageAtomically() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("index.html")
        let refresh = try ChildProcess(["refresh", "--file", page.path, "--every", "100ms"])
        defer { refresh.stop() }
        try refresh.waitForLine(containing: "(update 2)")
        let contents = try String(contentsOf: page, encoding: .utf8)
        #expect(contents.contains("<strong id=\"counter\">"))
        refresh.send(SIGTERM)
        #expect(try refresh.waitForExit() == ChildProcess.Exit(status: 0, bySignal: false))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["index.html"])
    }

    // MARK: helpers

    /// The port from the first line, `serve: listening on 127.0.0.1:PORT …` (or `proxy: …`).
    private static func port(of process: ChildProcess) throws -> Int {
        let line = try process.waitForLine(containing: "listening on ")
        let address = line.components(separatedBy: "listening on ")[1].split(separator: " ")[0]
        guard let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw DemoTestError("no port in '\(line)'")
        }
        return port
    }

    private static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-demo-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func append(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}

import Foundation
import Testing
@testable import PodRunKit

/// One of `examples/*/pod.yaml` run as a user would (`podrun-demo` found through `PATH`, as an
/// installed podrun has it), with auto ports so tests never need fixed ports free, in a private
/// state root that goes with the value.
final class ExampleRun {
    let supervisor: PodSupervisor
    let events = EventCollector()
    private let base: URL

    init(_ name: String, keep: Bool = false) throws {
        let demo = try Integration.demo()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-example-\(UUID().uuidString.prefix(8))")
        let file = Integration.example(name).appendingPathComponent("pod.yaml").path
        let loaded = PodLoader.load(path: file)
        guard let pod = loaded.pod else {
            throw TestFailure("\(file) does not load: \(loaded.diagnostics.map(\.description).joined(separator: "\n"))")
        }
        var options = RunOptions()
        options.portMode = .auto
        options.stateRoot = base
        options.keepRunDirectory = keep
        options.inheritedEnvironment["PATH"] = URL(fileURLWithPath: demo).deletingLastPathComponent().path + ":"
            + (options.inheritedEnvironment["PATH"] ?? "/usr/bin:/bin")
        do {
            supervisor = try PodSupervisor(pod: pod, options: options, onEvent: events.handler)
        } catch {
            try? FileManager.default.removeItem(at: base)
            throw error
        }
        self.base = base
    }

    deinit {
        try? FileManager.default.removeItem(at: base)
    }

    func hostPort(_ container: String, _ name: String) -> Int32? {
        supervisor.ports.mappings.first { $0.container == container && $0.name == name }?.hostPort
    }

    /// Starts the pod, runs `body`, then stops it gracefully and returns its phase (nil if it
    /// had to be killed). Whatever happens, nothing is left running.
    func run(_ body: (ExampleRun) async throws -> Void) async throws -> PodPhase? {
        await supervisor.start()
        do {
            try await body(self)
        } catch {
            await supervisor.kill()
            _ = await supervisor.waitUntilFinished()
            throw error
        }
        await supervisor.stop()
        guard await events.wait("PodFinished", timeout: .seconds(15)) != nil else {
            await supervisor.kill()
            _ = await supervisor.waitUntilFinished()
            return nil
        }
        return await supervisor.waitUntilFinished()
    }
}

@Suite("Integration: examples")
struct ExamplesIntegrationTests {
    @Test("the examples folder holds the documented examples")
    func examplesExist() {
        let expected: Set = ["web-probes", "page-refresher", "ambassador", "seeds-logging-sidecar", "native-sidecar", "logging-sidecar", "job-with-sidecar"]
        #expect(expected.isSubset(of: Set(Integration.examples)), "found \(Integration.examples) in \(Integration.packageRoot.path)/examples")
    }

    @Test("every example validates with no errors, runs only /bin/sh or podrun-demo, and has a README saying how to run it", arguments: Integration.examples)
    func exampleValidates(_ name: String) throws {
        let folder = Integration.example(name)
        let result = PodLoader.load(path: folder.appendingPathComponent("pod.yaml").path)
        #expect(!result.diagnostics.hasErrors, "\(result.diagnostics.map(\.description).joined(separator: "\n"))")
        let pod = try #require(result.pod)
        for container in pod.spec.allContainers {
            #expect(["/bin/sh", "podrun-demo"].contains(container.argv.first ?? ""), "\(name): container \(container.name) runs \(container.argv)")
        }
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("**Teaches:**"), "\(name)/README.md says what it teaches")
        #expect(readme.contains("podrun run examples/\(name)/pod.yaml"), "\(name)/README.md says how to run it")
        if pod.spec.allContainers.contains(where: { $0.argv.first == "podrun-demo" }) {
            #expect(readme.contains("podrun-demo` is installed next to `podrun`"), "\(name)/README.md says where podrun-demo comes from")
        }
    }

    @Test("web-probes runs with auto ports: PodReady once the web server and the proxy sidecar are ready; requests flow through the proxy; the sidecar stops last")
    func webProbesBecomesReady() async throws {
        let example = try ExampleRun("web-probes")
        let phase = try await example.run { example in
            let podReady = try #require(await example.events.waitPodReady(timeout: .seconds(15)))
            let webReady = try #require(example.events.first("Ready", "web"))
            let proxyReady = try #require(example.events.first("Ready", "proxy"))
            #expect(webReady.seq < podReady.seq && proxyReady.seq < podReady.seq)
            let publicPort = try #require(example.hostPort("proxy", "public"))
            let response = loopbackGET(port: publicPort, path: "/readyz")
            #expect(response?.status == 200 && response?.body == "ready\n", "through the proxy: \(String(describing: response))")
        }
        #expect(phase == .succeeded)
        #expect(example.events.names(["Exited"]) == ["web Exited", "proxy Exited"])
    }

    @Test("ambassador runs with auto ports: the app starts only after the proxy's startup probe; requests reach the app through the proxy")
    func ambassadorRuns() async throws {
        let example = try ExampleRun("ambassador")
        let phase = try await example.run { example in
            _ = try #require(await example.events.waitPodReady(timeout: .seconds(15)))
            #expect(example.events.names(["Started", "StartupSucceeded"]) == ["envoy Started", "envoy StartupSucceeded", "app Started"])
            let ingress = try #require(example.hostPort("envoy", "ingress"))
            #expect(loopbackGET(port: ingress, path: "/healthz")?.status == 200)
        }
        #expect(phase == .succeeded)
        #expect(example.events.names(["Exited"]) == ["app Exited", "envoy Exited"])
    }

    @Test("page-refresher runs with auto ports: the server is Ready once the sidecar wrote the page, and serves it from the shared volume")
    func pageRefresherServesThePage() async throws {
        let example = try ExampleRun("page-refresher")
        let phase = try await example.run { example in
            _ = try #require(await example.events.wait("Ready", "nginx", timeout: .seconds(15)))
            let port = try #require(example.supervisor.ports.mappings.first { $0.container == "nginx" }?.hostPort)
            let page = loopbackGET(port: port, path: "/")
            #expect(page?.status == 200)
            #expect(page?.body.contains("Written by <code>podrun-demo refresh</code>") == true, "\(String(describing: page))")
        }
        #expect(phase == .succeeded)
    }

    @Test("seeds-logging-sidecar runs: the agent prints the API's log lines from the shared volume")
    func seedsLoggingSidecarShipsLines() async throws {
        let example = try ExampleRun("seeds-logging-sidecar", keep: true)
        let phase = try await example.run { example in
            let log = example.supervisor.runDirectory.url.appendingPathComponent("logs/logging-agent/0.log")
            let shipped = await integrationEventually {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                return text.contains("GET /hello 200 request=1\n") && text.contains("GET /hello 200 request=2\n")
            }
            #expect(shipped, "the agent logged: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        #expect(phase == .succeeded)
    }
}

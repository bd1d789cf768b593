import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// CPU cost of one probe in the supervisor's process (opt-in, release build):
//   PODRUN_MEASURE=1 swift test -c release --filter HandlerCostMeasurement
// getrusage(RUSAGE_SELF) counts every thread of this process and nothing of the children (the
// shims, the commands, the HTTP server run as podrun-demo), which is what "cost to the
// supervisor" means. RUSAGE_CHILDREN is printed for information.

@Suite(.enabled(if: ProcessInfo.processInfo.environment["PODRUN_MEASURE"] != nil), .serialized)
struct HandlerCostMeasurement {
    static let rounds = 200

    @Test func execProbe() async throws {
        let t = try HandlerTestFixture()
        let probe = ProbeHandler.exec(ExecAction(command: ["true"]))
        let context = t.context()
        _ = await t.probes.run(probe, timeout: .seconds(5), context: context)  // warm up
        let (sequential, outcomes) = await Self.measure {
            var all: [ProbeOutcome] = []
            for _ in 0..<Self.rounds { all.append(await t.probes.run(probe, timeout: .seconds(5), context: context)) }
            return all
        }
        #expect(outcomes.allSatisfy { $0 == .success })
        print("exec probe [true], a shim of its own each, \(Self.rounds) sequential: \(sequential)")

        // 50 containers probed in the same second, as the benchmark will do.
        let (burst, results) = await Self.measure {
            await withTaskGroup(of: ProbeOutcome.self) { group in
                for _ in 0..<50 { group.addTask { await t.probes.run(probe, timeout: .seconds(10), context: context) } }
                return await group.reduce(into: [ProbeOutcome]()) { $0.append($1) }
            }
        }
        #expect(results.allSatisfy { $0 == .success })
        print("exec probe [true], a shim of its own each, 50 concurrent: \(burst.scaled(to: 50))")
    }

    /// The path every probe of a running container takes: the command runs under the container's
    /// shim, so no process is started from podrun per attempt. The command's CPU is the shim's
    /// child's, not podrun's, so "children" stays 0 here.
    @Test func execProbeUnderContainerShim() async throws {
        let t = try HandlerTestFixture()
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        // 50 containers, each probed once in the same instant, as the benchmark does; one
        // container's shim runs at most 16 commands at once (docs/shim.md), far above the 3 probes
        // and 2 hooks a container can have running.
        var containers: [ShimProcess] = []
        defer { for container in containers { container.killImmediately() } }
        for _ in 0..<50 {
            containers.append(
                try await t.launcher.launch(
                    ProcessLaunchSpec(argv: ["sleep", "30"], environment: ProcessInfo.processInfo.environment, standardOutput: devNull, standardError: devNull)
                ) { _ in })
        }
        let contexts = containers.map { container in
            var context = t.context()
            context.container = container
            return context
        }
        let probe = ProbeHandler.exec(ExecAction(command: ["true"]))
        _ = await t.probes.run(probe, timeout: .seconds(5), context: contexts[0])  // warm up
        let (sequential, outcomes) = await Self.measure {
            var all: [ProbeOutcome] = []
            for _ in 0..<Self.rounds { all.append(await t.probes.run(probe, timeout: .seconds(5), context: contexts[0])) }
            return all
        }
        #expect(outcomes.allSatisfy { $0 == .success })
        print("exec probe [true] under the container's shim, \(Self.rounds) sequential: \(sequential)")

        let (burst, results) = await Self.measure {
            await withTaskGroup(of: ProbeOutcome.self) { group in
                for context in contexts { group.addTask { await t.probes.run(probe, timeout: .seconds(10), context: context) } }
                return await group.reduce(into: [ProbeOutcome]()) { $0.append($1) }
            }
        }
        #expect(results.count == 50 && results.allSatisfy { $0 == .success })
        print("exec probe [true] under 50 containers' shims, one each at once: \(burst.scaled(to: 50))")
    }

    @Test func httpGetProbe() async throws {
        let t = try HandlerTestFixture()
        let demo = URL(fileURLWithPath: t.launcher.shimPath).deletingLastPathComponent().appendingPathComponent("podrun-demo").path
        try #require(FileManager.default.isExecutableFile(atPath: demo), "build podrun-demo first")
        let port = try LoopbackListener.unusedPort()
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let server = try await t.launcher.launch(
            ProcessLaunchSpec(
                argv: [demo, "serve", "--port", String(port), "--quiet"], environment: ProcessInfo.processInfo.environment,
                standardOutput: devNull, standardError: devNull)
        ) { _ in }
        defer { server.killImmediately() }
        let up = ProbeHandler.tcpSocket(TCPSocketAction(port: .int(port)))
        var listening = false
        for _ in 0..<500 where !listening {
            listening = await t.probes.run(up, timeout: .seconds(1), context: t.context()) == .success
            if !listening { try await Task.sleep(for: .milliseconds(10)) }
        }
        try #require(listening, "podrun-demo serve did not start")

        let probe = ProbeHandler.httpGet(HTTPGetAction(path: "/healthz", port: .int(port)))
        let context = t.context()
        _ = await t.probes.run(probe, timeout: .seconds(5), context: context)
        let (cost, outcomes) = await Self.measure {
            var all: [ProbeOutcome] = []
            for _ in 0..<Self.rounds { all.append(await t.probes.run(probe, timeout: .seconds(5), context: context)) }
            return all
        }
        #expect(outcomes.allSatisfy { $0 == .success })
        print("httpGet probe /healthz, \(Self.rounds) sequential: \(cost)")

        let tcpProbe = ProbeHandler.tcpSocket(TCPSocketAction(port: .int(port)))
        let (tcpCost, tcpOutcomes) = await Self.measure {
            var all: [ProbeOutcome] = []
            for _ in 0..<Self.rounds { all.append(await t.probes.run(tcpProbe, timeout: .seconds(5), context: context)) }
            return all
        }
        #expect(tcpOutcomes.allSatisfy { $0 == .success })
        print("tcpSocket probe, \(Self.rounds) sequential: \(tcpCost)")
    }

    struct Cost: CustomStringConvertible {
        var selfCPU: Double
        var childCPU: Double
        var wall: Double
        var count: Int

        func scaled(to count: Int) -> Cost { Cost(selfCPU: selfCPU, childCPU: childCPU, wall: wall, count: count) }

        var description: String {
            let n = Double(count)
            return String(
                format: "podrun CPU %.3f ms/probe, children CPU %.3f ms/probe, wall %.3f ms/probe",
                selfCPU / n * 1000, childCPU / n * 1000, wall / n * 1000)
        }
    }

    static func measure<T>(_ body: () async -> T) async -> (Cost, T) {
        let start = ContinuousClock.now
        let (selfBefore, childBefore) = (cpuSeconds(children: false), cpuSeconds(children: true))
        let value = await body()
        let (selfAfter, childAfter) = (cpuSeconds(children: false), cpuSeconds(children: true))
        let elapsed = ContinuousClock.now - start
        let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Cost(selfCPU: selfAfter - selfBefore, childCPU: childAfter - childBefore, wall: wallSeconds, count: rounds), value)
    }

    static func cpuSeconds(children: Bool) -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(children ? RUSAGE_CHILDREN : RUSAGE_SELF, &usage)
        #endif
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return user + system
    }
}

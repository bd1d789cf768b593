#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// W3: 10 sleeping containers; after they run and a 1 s settle, CPU and wake-ups of podrun and
/// its shims over `seconds` (every thread counted; CPU in nanoseconds from schedstat), and their
/// memory at the end.
struct Idle {
    var cpuPercent = Double.nan
    var podrunCPUPercent = Double.nan
    var wakeupsPerSecond = Double.nan
    var podrunMemory = Memory()
    var shimMemory = Memory()
    var largestShimRSS = Double.nan
    var threads = 0

    static func run(_ context: BenchContext, containers n: Int = 10, seconds: Double) throws -> Idle {
        var result = Idle()
        let directory = try context.directory("w3")
        let marks = directory + "/marks"
        try makeDirectory(marks)
        let containers = (0..<n).map { index -> (name: String, body: [String]) in
            let name = "s" + pad(index, 2)
            return (name, ["command: " + flow(["/bin/sh", "-c", "touch \(marks)/\(name); exec sleep 100000"])])
        }
        let pod = try PodProcess(context, name: "w3", yaml: podYAML(name: "w3", containers: containers), in: directory)
        defer { pod.abort() }
        guard pod.waitForEntries(n, in: marks) != nil else { throw BenchError("W3: containers did not start (see \(directory))") }
        pause(1.0)
        guard procAvailable else { _ = pod.stop(); return result }
        let processes = podrunProcesses(pod.pid)
        let all = [processes.podrun] + processes.shims
        let before = Activity.of(all)
        let podrunBefore = Activity.of([pod.pid])
        pause(seconds)
        let after = Activity.of(all)
        let podrunAfter = Activity.of([pod.pid])
        result.cpuPercent = 100 * after.cpuSeconds(since: before, atLeastTicks: true) / seconds
        result.podrunCPUPercent = 100 * podrunAfter.cpuSeconds(since: podrunBefore, atLeastTicks: true) / seconds
        result.wakeupsPerSecond = Double(after.wakeups(since: before)) / seconds
        result.podrunMemory = Memory.of(pod.pid)
        let shims = processes.shims.map(Memory.of)
        result.shimMemory = shims.reduce(Memory(), +)
        result.largestShimRSS = shims.map(\.rss).max() ?? .nan
        result.threads = podrunAfter.threadCount
        context.note("W3: CPU \(format(result.cpuPercent, 4)) %, \(format(result.wakeupsPerSecond, 2)) wake-ups/s, podrun RSS \(format(result.podrunMemory.rss, 1)) MiB, \(result.threads) threads")
        _ = pod.stop()
        removeTree(directory)
        return result
    }
}

/// W4: a container that exits 1 at once, restartPolicy Always, zero back-off. Restarts per
/// second = Started events after the first, over the time from the first to the last; the gap
/// from each Exited to the next Started (event times, millisecond resolution).
struct Restarts {
    var perSecond: [Double] = []
    var gapMilliseconds: [Double] = []

    static func run(_ context: BenchContext, seconds: Double, reps: Int) throws -> Restarts {
        var result = Restarts()
        for rep in 0..<reps {
            let directory = try context.directory("w4-\(rep)")
            let yaml = podYAML(name: "w4", restartPolicy: "Always", containers: [("crasher", ["command: " + flow(["/bin/sh", "-c", "exit 1"])])])
            let pod = try PodProcess(context, name: "w4", yaml: yaml, in: directory,
                                     arguments: ["--keep", "--backoff-initial", "0s", "--backoff-max", "0s", "--quiet"])
            pause(seconds)
            _ = pod.stop()
            let events = pod.events()
            let starts = events.filter { $0.type == "Started" }.map(\.time)
            if let first = starts.first, let last = starts.last, last > first {
                result.perSecond.append(Double(starts.count - 1) / (last - first))
            }
            var lastExit: Double?
            for event in events {
                if event.type == "Exited" { lastExit = event.time }
                if event.type == "Started", let exit = lastExit {
                    result.gapMilliseconds.append(1000 * (event.time - exit))
                    lastExit = nil
                }
            }
            context.note("W4 #\(rep + 1): \(starts.count) starts, \(format(result.perSecond.last ?? .nan, 1))/s")
            removeTree(directory)
        }
        return result
    }
}

/// W5: one container; SIGTERM to podrun until it exits. `trap`: the container exits 0.2 s after
/// SIGTERM; `ignore`: it ignores SIGTERM, so podrun kills it after the 2 s grace period.
struct StopLatency {
    var exit: [Double] = []
    var leftBehind: [Double] = []

    static func run(_ context: BenchContext, ignore: Bool, reps: Int) throws -> StopLatency {
        var result = StopLatency()
        for rep in 0..<reps {
            let directory = try context.directory("w5-\(ignore ? "ignore" : "trap")-\(rep)")
            let mark = directory + "/started"
            let script = ignore
                ? "trap '' TERM; touch \(mark); exec sleep 100000"
                : "trap 'kill $P 2>/dev/null; sleep 0.2; exit 0' TERM; touch \(mark); sleep 100000 & P=$!; wait"
            let yaml = podYAML(name: "w5", grace: 2, containers: [("c", ["command: " + flow(["/bin/sh", "-c", script])])])
            let pod = try PodProcess(context, name: "w5", yaml: yaml, in: directory)
            while !fileExists(mark) && monotonicNow() - pod.launchedAt < 30 && !pod.poll() { pause(0.001) }
            pause(0.3)
            let stop = pod.stop(timeout: 30)
            result.exit.append(stop.exit)
            result.leftBehind.append(Double(stop.leftBehind))
            context.note("W5 \(ignore ? "ignore" : "trap") #\(rep + 1): \(format(stop.exit, 3)) s")
            removeTree(directory)
        }
        return result
    }
}

/// Probes: N containers, each with an exec readiness probe every second that appends the time it
/// ran (`date +%s.%N`) to a file. Supervisor CPU = podrun's own CPU (every thread; nanoseconds
/// from schedstat, or the clock ticks that also count threads that ended, whichever is more)
/// over `seconds` after a 1 s settle. The commands' own CPU is not counted: they run under the
/// containers' shims, and a shim's CPU for its reaped children (`cutime`) is whole clock ticks
/// per process, which a few 1 ms commands per shim never reach. Lag = when a probe command ran
/// minus when it was due (the container's Started event plus whole periods), so it includes
/// starting `sh` and `date` (about 1 ms).
struct Probes {
    var cpuPercent: [Double] = []
    var lagMilliseconds: [Double] = []
    var missed = 0

    static func exec(_ context: BenchContext, containers n: Int, seconds: Double, reps: Int) throws -> Probes {
        var result = Probes()
        for rep in 0..<reps {
            let directory = try context.directory("probes-\(rep)")
            let marks = directory + "/marks"
            let stamps = directory + "/stamps"
            try makeDirectory(marks)
            try makeDirectory(stamps)
            let containers = (0..<n).map { index -> (name: String, body: [String]) in
                let name = "p" + pad(index, 3)
                return (name, [
                    "command: " + flow(["/bin/sh", "-c", "touch \(marks)/\(name); exec sleep 1000"]),
                    "readinessProbe:",
                    "  exec:",
                    "    command: " + flow(["/bin/sh", "-c", "date +%s.%N >> \(stamps)/\(name)"]),
                    "  periodSeconds: 1",
                ])
            }
            let pod = try PodProcess(context, name: "probes", yaml: podYAML(name: "probes", containers: containers), in: directory, arguments: ["--keep", "--quiet"])
            guard pod.waitForEntries(n, in: marks) != nil else {
                pod.abort()
                throw BenchError("probes: containers did not start (see \(directory))")
            }
            pause(1.0)
            let before = Activity.of([pod.pid])
            pause(seconds)
            let after = Activity.of([pod.pid])
            _ = pod.stop()
            result.cpuPercent.append(100 * after.cpuSeconds(since: before, atLeastTicks: true) / seconds)
            var startedAt: [String: Double] = [:]
            for event in pod.events() where event.type == "Started" {
                if let container = event.container { startedAt[container] = event.time }
            }
            for (name, start) in startedAt {
                guard let text = readText(stamps + "/" + name) else {
                    result.missed += 1
                    continue
                }
                for line in text.split(separator: "\n") {
                    guard let time = Double(line) else { continue }
                    let due = start + (time - start).rounded(.down)
                    result.lagMilliseconds.append(1000 * (time - due))
                }
            }
            context.note("probes #\(rep + 1): podrun CPU \(format(result.cpuPercent.last!, 2)) %, lag p50 \(format(percentile(result.lagMilliseconds, 50), 2)) ms p99 \(format(percentile(result.lagMilliseconds, 99), 2)) ms")
            removeTree(directory)
        }
        return result
    }

    /// The floor of the lag: the same N commands started at once by this process (posix_spawn in a
    /// loop), without podrun or shims; lag = when each ran minus the start of the loop.
    static func execFloor(_ context: BenchContext, commands n: Int, reps: Int) throws -> [Double] {
        var lags: [Double] = []
        for rep in 0..<reps {
            let directory = try context.directory("probes-floor-\(rep)")
            let started = wallNow()
            var pids: [pid_t] = []
            for index in 0..<n {
                pids.append(try spawn(["/bin/sh", "-c", "date +%s.%N >> \(directory)/c\(index)"]))
            }
            for pid in pids { waitForExit(pid, timeout: 10) }
            for index in 0..<n {
                if let text = readText("\(directory)/c\(index)"), let time = Double(text.trimmingWhitespace) {
                    lags.append(1000 * (time - started))
                }
            }
            removeTree(directory)
        }
        return lags
    }

    /// httpGet readiness probes every second against `podrun-demo serve --quiet` (one per
    /// container); podrun's CPU over the window divided by the probes due in it.
    static func httpGetCost(_ context: BenchContext, demo: String, containers n: Int, seconds: Double, reps: Int) throws -> [Double] {
        var perProbe: [Double] = []
        for rep in 0..<reps {
            let directory = try context.directory("http-\(rep)")
            let containers = (0..<n).map { index -> (name: String, body: [String]) in
                ("h" + pad(index, 2), [
                    "command: " + flow([demo, "serve", "--quiet"]),
                    "ports:",
                    "- containerPort: 8080",
                    "readinessProbe:",
                    "  httpGet:",
                    "    path: /readyz",
                    "    port: 8080",
                    "  periodSeconds: 1",
                ])
            }
            let pod = try PodProcess(context, name: "http", yaml: podYAML(name: "http", containers: containers), in: directory,
                                     arguments: ["--ports", "auto", "--quiet", "--keep"])
            // Ready = the first probe of every container passed.
            let deadline = monotonicNow() + 30
            while monotonicNow() < deadline, pod.events().filter({ $0.type == "Ready" }).count < n, !pod.poll() { pause(0.05) }
            pause(0.5)
            let before = Activity.of([pod.pid])
            pause(seconds)
            let after = Activity.of([pod.pid])
            _ = pod.stop()
            perProbe.append(1000 * after.cpuSeconds(since: before, atLeastTicks: true) / (Double(n) * seconds))
            context.note("httpGet #\(rep + 1): \(format(perProbe.last!, 3)) ms of podrun CPU per probe")
            removeTree(directory)
        }
        return perProbe
    }
}

/// Validating a pod of N containers (each with env, a port, probes and resources): `podrun validate`.
struct SpecValidation {
    static func run(_ context: BenchContext, containers n: Int, reps: Int) throws -> [Double] {
        let directory = try context.directory("spec")
        var lines = ["apiVersion: v1", "kind: Pod", "metadata:", "  name: big", "  labels:", "    app: big", "spec:", "  containers:"]
        for index in 0..<n {
            let name = "c" + pad(index, 3)
            lines += [
                "  - name: \(name)",
                "    image: busybox:1.36",
                "    command: [\"/bin/sh\", \"-c\"]",
                "    args: [\"echo $(GREETING) from \(name); exec sleep 1000\"]",
                "    env:",
                "    - name: GREETING",
                "      value: hello",
                "    - name: POD_NAME",
                "      valueFrom:",
                "        fieldRef:",
                "          fieldPath: metadata.name",
                "    ports:",
                "    - name: http",
                "      containerPort: \(10000 + index)",
                "    readinessProbe:",
                "      httpGet:",
                "        path: /healthz",
                "        port: http",
                "      periodSeconds: 5",
                "    livenessProbe:",
                "      tcpSocket:",
                "        port: \(10000 + index)",
                "    resources:",
                "      requests:",
                "        cpu: 10m",
                "        memory: 16Mi",
            ]
        }
        let file = directory + "/pod.yaml"
        try writeText(file, lines.joined(separator: "\n") + "\n")
        var times: [Double] = []
        for _ in 0..<reps {
            let started = monotonicNow()
            let code = try runCommand([context.podrun, "validate", file], stdout: directory + "/out", stderr: directory + "/err")
            let elapsed = monotonicNow() - started
            guard code == 0 else { throw BenchError("spec: podrun validate exited \(code) (see \(directory)/err)") }
            times.append(elapsed)
        }
        removeTree(directory)
        return times
    }
}

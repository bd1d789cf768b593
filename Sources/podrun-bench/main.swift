#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// podrun-bench: the benchmark behind `make bench`. Runs the workloads of docs/performance.md
// against a release podrun, sequentially, and prints one table. Never part of `make test`.

let usage = """
    usage: podrun-bench [--podrun PATH] [--reps N] [--idle-seconds S] [--only LIST] [--quiet]
      --podrun PATH      the podrun to measure (default: podrun next to this executable)
      --reps N           repetitions per workload (default 5; W3 runs once)
      --idle-seconds S   W3's idle window (default 30)
      --only LIST        comma-separated subset of w1,w2,w3,w4,w5,probes,spec
      --quiet            no per-repetition progress on standard error
    """

func fail(_ message: String) -> Never {
    var bytes = Array(("podrun-bench: " + message + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// The directory of this executable.
func executableDirectory() -> String {
    #if os(Linux)
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 {
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }
    #endif
    let argv0 = absolutePath(CommandLine.arguments[0])
    return String(argv0[..<(argv0.lastIndex(of: "/") ?? argv0.endIndex)])
}

var podrunPath = executableDirectory() + "/podrun"
var reps = 5
var idleSeconds = 30.0
var only: Set<String> = ["w1", "w2", "w3", "w4", "w5", "probes", "spec"]
var verbose = true
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let option = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { fail("\(option) needs a value\n\(usage)") }
        return arguments.removeFirst()
    }
    switch option {
    case "--podrun": podrunPath = absolutePath(value())
    case "--reps":
        guard let number = Int(value()), number > 0 else { fail("--reps: a positive number") }
        reps = number
    case "--idle-seconds":
        guard let number = Double(value()), number > 0 else { fail("--idle-seconds: a positive number") }
        idleSeconds = number
    case "--only": only = Set(value().lowercased().split(separator: ",").map(String.init))
    case "--quiet": verbose = false
    case "-h", "--help":
        print(usage)
        exit(0)
    default: fail("unknown option \(option)\n\(usage)")
    }
}
guard access(podrunPath, X_OK) == 0 else { fail("no podrun at \(podrunPath) (build it with make release, or pass --podrun)") }
let demoPath = String(podrunPath[..<(podrunPath.lastIndex(of: "/") ?? podrunPath.endIndex)]) + "/podrun-demo"

func machineDescription() -> String {
    var name = utsname()
    uname(&name)
    func field<T>(_ value: T) -> String {
        withUnsafeBytes(of: value) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    return "\(field(name.sysname)) \(field(name.release)) \(field(name.machine)), \(cores) cores"
}

func utcTimestamp() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    return "\(parts.tm_year + 1900)-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2)) \(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)) UTC"
}

let root: String
do {
    root = try makeTemporaryDirectory(prefix: "podrun-bench-")
} catch {
    fail("\(error)")
}
let context = BenchContext(podrun: podrunPath, root: root, reps: reps, verbose: verbose)
let began = monotonicNow()
var sections: [Section] = []

/// The largest value, for counts where any non-zero repetition matters.
func worst(_ values: [Double]) -> [Double] { [values.max() ?? .nan] }

do {
    if only.contains("w1") {
        var section = Section(title: "W1 fan-out (sh -c 'touch MARK; exec sleep 1000')")
        var leftBehind: [Double] = []
        for (n, startTarget, stopTarget, memoryTarget) in [(50, 0.09, 0.10, 25.0), (200, 0.30, 0.15, 40.0)] {
            let w1 = try FanOut.run(context, containers: n, exec: true, reps: reps, withFloor: true)
            section.rows.append(Row(label: "start, \(n) containers", unit: .seconds, samples: w1.start, target: .atMost(startTarget),
                                    floor: w1.floor, note: "floor: one sh loop starting them"))
            section.rows.append(Row(label: "stop, \(n) (SIGTERM → all gone)", unit: .seconds, samples: w1.gone, target: .atMost(stopTarget),
                                    note: "podrun exit \(Unit.seconds.text(median(w1.stop)))"))
            if procAvailable {
                let total = zip(w1.podrunMemory, w1.shimMemory).map { $0 + $1 }
                section.rows.append(Row(label: "PSS, podrun + \(n) shims", unit: .mebibytes, samples: total.map(\.pss), target: .atMost(memoryTarget),
                                        note: (w1.sharingRuntime > 0 ? "PSS understated: \(w1.sharingRuntime) other process(es) mapped podrun's libswiftCore.so; " : "") + "podrun \(Unit.mebibytes.text(median(w1.podrunMemory.map(\.pss)))) (RSS \(Unit.mebibytes.text(median(w1.podrunMemory.map(\.rss)))), USS \(Unit.mebibytes.text(median(w1.podrunMemory.map(\.uss))))), shims \(Unit.mebibytes.text(median(w1.shimMemory.map(\.pss)))) (\(format(median(w1.shimMemory.map(\.pss)) * 1024 / Double(n), 0)) KiB each); \(Int(median(w1.threads))) threads"))
            }
            leftBehind += w1.leftBehind
        }
        let noExec = try FanOut.run(context, containers: 50, exec: false, reps: reps, withFloor: false)
        section.rows.append(Row(label: "stop, 50 shells that do not exec", unit: .seconds, samples: noExec.gone, target: .atMost(0.10)))
        if procAvailable {
            section.rows.append(Row(label: "left behind, every run (worst)", unit: .count, samples: worst(leftBehind + noExec.leftBehind), target: .atMost(0),
                                    note: "\(leftBehind.count + noExec.leftBehind.count) runs, incl. \(noExec.leftBehind.count) without exec", single: true))
        }
        sections.append(section)
    }

    if only.contains("w2") {
        var section = Section(title: "W2 logs (1,000,000 lines through podrun run)")
        for (writers, target) in [(1, 0.30), (4, 0.50)] {
            let w2 = try LogThroughput.run(context, writers: writers, reps: reps)
            let label = writers == 1 ? "1 writer, seq 1 1000000" : "4 writers × 250,000 at once"
            let exact = "exact: run output \(w2.exactRuns)/\(reps), podrun logs \(w2.exactLogs)/\(reps)"
            section.rows.append(Row(label: label, unit: .seconds, samples: w2.time, target: .atMost(target), floor: w2.floor,
                                    note: exact + (writers == 1 ? "; floor: seq | cat > file" : "; floor: 4 seq | cat > file")))
            if writers == 1, procAvailable {
                section.rows.append(Row(label: "peak RSS of podrun, 1 writer", unit: .mebibytes, samples: w2.peakResident, target: .atMost(50 / 1.048576),
                                        note: "target 50 MB"))
            }
            section.rows.append(Row(label: "podrun logs, \(writers == 1 ? "1 container" : "4 containers")", unit: .seconds, samples: w2.logsTime))
            for problem in w2.problems { context.note("W2 problem: " + problem) }
            if w2.exactRuns < reps || w2.exactLogs < reps {
                section.rows.append(Row(label: "NOT EXACT (\(writers) writers)", unit: .count, samples: [Double(2 * reps - w2.exactRuns - w2.exactLogs)],
                                        target: .atMost(0), note: w2.problems.first ?? "", single: true))
            }
        }
        sections.append(section)
    }

    if only.contains("w3") {
        var section = Section(title: "W3 idle (10 sleeping containers, \(format(idleSeconds, 0)) s, once)")
        let w3 = try Idle.run(context, seconds: idleSeconds)
        section.rows.append(Row(label: "CPU, podrun + shims", unit: .percent, samples: [w3.cpuPercent], target: .atMost(0.05),
                                note: "podrun alone \(Unit.percent.text(w3.podrunCPUPercent)); every thread", single: true))
        section.rows.append(Row(label: "wake-ups, podrun + shims", unit: .perSecond, samples: [w3.wakeupsPerSecond], target: .atMost(1),
                                note: "context switches of every thread", single: true))
        let total = w3.podrunMemory + w3.shimMemory
        section.rows.append(Row(label: "RSS, podrun + 10 shims", unit: .mebibytes, samples: [total.rss], target: .atMost(30 / 1.048576),
                                note: "target 30 MB; podrun \(Unit.mebibytes.text(w3.podrunMemory.rss)), PSS \(Unit.mebibytes.text(total.pss)); \(w3.threads) threads", single: true))
        section.rows.append(Row(label: "RSS, largest shim", unit: .mebibytes, samples: [w3.largestShimRSS], target: .atMost(2 / 1.048576),
                                note: "target 2 MB", single: true))
        sections.append(section)
    }

    if only.contains("w4") {
        var section = Section(title: "W4 restarts (exit 1 at once, Always, --backoff-initial 0s --backoff-max 0s)")
        let w4 = try Restarts.run(context, seconds: 2, reps: reps)
        section.rows.append(Row(label: "restarts per second", unit: .perSecond, samples: w4.perSecond, target: .atLeast(100)))
        section.rows.append(Row(label: "Exited → next Started, p50", unit: .milliseconds, samples: [percentile(w4.gapMilliseconds, 50)],
                                target: .atMost(20), note: "p99 \(Unit.milliseconds.text(percentile(w4.gapMilliseconds, 99))); \(w4.gapMilliseconds.count) restarts, event times (ms)", single: true))
        sections.append(section)
    }

    if only.contains("w5") {
        var section = Section(title: "W5 stop (SIGTERM → podrun exit, grace 2 s)")
        let trap = try StopLatency.run(context, ignore: false, reps: reps)
        section.rows.append(Row(label: "container exits 0.2 s after SIGTERM", unit: .seconds, samples: trap.exit, target: .atMost(0.25),
                                floor: [0.2], note: "floor: the container's own 0.2 s"))
        let ignore = try StopLatency.run(context, ignore: true, reps: reps)
        section.rows.append(Row(label: "container ignores SIGTERM", unit: .seconds, samples: ignore.exit, target: .atMost(2.10),
                                floor: [2.0], note: "floor: the 2 s grace period"))
        sections.append(section)
    }

    if only.contains("probes") {
        var section = Section(title: "Probes (50 containers, exec readiness probe every 1 s)")
        let probes = try Probes.exec(context, containers: 50, seconds: 3, reps: reps)
        let floor = try Probes.execFloor(context, commands: 50, reps: reps)
        section.rows.append(Row(label: "podrun CPU", unit: .percent, samples: probes.cpuPercent, target: .atMost(5),
                                note: "podrun's threads; the commands run under the containers' shims"))
        section.rows.append(Row(label: "probe start lag p50", unit: .milliseconds, samples: [percentile(probes.lagMilliseconds, 50)],
                                floor: [percentile(floor, 50)], note: "\(probes.lagMilliseconds.count) probe runs; includes sh + date start", single: true))
        section.rows.append(Row(label: "probe start lag p99", unit: .milliseconds, samples: [percentile(probes.lagMilliseconds, 99)], target: .atMost(50),
                                floor: [percentile(floor, 99)],
                                note: "max \(Unit.milliseconds.text(probes.lagMilliseconds.max() ?? .nan)); floor: the 50 commands started at once without podrun", single: true))
        if access(demoPath, X_OK) == 0 {
            let http = try Probes.httpGetCost(context, demo: demoPath, containers: 20, seconds: 3, reps: reps)
            section.rows.append(Row(label: "httpGet probe, podrun CPU per probe", unit: .milliseconds, samples: http, target: .atMost(2),
                                    note: "20 × podrun-demo serve, 1 s period"))
        }
        sections.append(section)
    }

    if only.contains("spec") {
        var section = Section(title: "Spec")
        let spec = try SpecValidation.run(context, containers: 500, reps: reps)
        section.rows.append(Row(label: "podrun validate, 500 containers", unit: .seconds, samples: spec, note: "whole process"))
        sections.append(section)
    }
} catch {
    removeTree(root)
    fail("\(error)")
}
removeTree(root)

var version = "?"
if let pid = try? spawn([podrunPath, "--version"], stdout: root + ".version") {
    waitForExit(pid, timeout: 10)
    version = (readText(root + ".version") ?? "?").trimmingWhitespace
    unlink(root + ".version")
}
let total = monotonicNow() - began
printTable(sections, header: [
    "podrun \(version) (\(podrunPath)) — \(machineDescription()) — \(utcTimestamp())",
    "medians of \(reps) runs [min–max]; W3 once; \(format(total, 0)) s in all\(procAvailable ? "" : "; memory, CPU and left-behind need /proc (Linux)")",
    "",
])
let misses = sections.flatMap(\.rows).filter { row in row.target.map { !$0.met(by: row.value) && !row.value.isNaN } ?? false }.count
print("")
print(misses == 0 ? "every target met" : "\(misses) target(s) missed")

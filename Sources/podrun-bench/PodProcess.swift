#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the benchmark works and what it runs.
struct BenchContext {
    let podrun: String
    let root: String
    let reps: Int
    let verbose: Bool

    func note(_ text: String) {
        guard verbose else { return }
        var line = Array((text + "\n").utf8)
        _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// A fresh directory for one repetition.
    func directory(_ name: String) throws -> String {
        let path = root + "/" + name
        removeTree(path)
        try makeDirectory(path)
        return path
    }
}

/// One `podrun run` of a generated pod, with its output in files and an environment tag that
/// every process it starts inherits.
final class PodProcess {
    let pid: pid_t
    let tag: String
    let launchedAt: Double
    let directory: String
    let name: String
    var exitStatus: Int32?
    var exitedAt: Double?

    var stateDirectory: String { directory + "/state" }
    var outputFile: String { directory + "/out.log" }
    var eventsFile: String { stateDirectory + "/pods/\(name)/events.jsonl" }

    init(_ context: BenchContext, name: String, yaml: String, in directory: String, arguments: [String] = []) throws {
        let podFile = directory + "/pod.yaml"
        try writeText(podFile, yaml)
        tag = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        self.directory = directory
        self.name = name
        launchedAt = monotonicNow()
        pid = try spawn(
            [context.podrun, "run", podFile, "--state-dir", directory + "/state"] + arguments,
            environment: environment(adding: ["BENCH_TAG": tag]),
            stdout: directory + "/out.log", stderr: directory + "/err.log")
    }

    /// Reaps podrun if it exited; true once it has.
    @discardableResult
    func poll() -> Bool {
        if exitStatus != nil { return true }
        guard let status = reapIfExited(pid) else { return false }
        exitStatus = status
        exitedAt = monotonicNow()
        return true
    }

    /// Waits until `count` entries exist in `directory` (marker files the containers create);
    /// seconds since launch, or nil after `timeout` or when podrun ended first.
    func waitForEntries(_ count: Int, in directory: String, timeout: Double = 60) -> Double? {
        while monotonicNow() - launchedAt < timeout {
            if countEntries(directory) >= count { return monotonicNow() - launchedAt }
            if poll() { return nil }
            pause(0.0005)
        }
        return nil
    }

    /// Waits for podrun to exit by itself; seconds since launch.
    func waitUntilExit(timeout: Double = 120, while work: () -> Void = {}) -> Double? {
        while monotonicNow() - launchedAt < timeout {
            if poll() { return exitedAt! - launchedAt }
            work()
            pause(0.001)
        }
        return nil
    }

    struct Stop {
        /// Signal → podrun exited.
        var exit = Double.nan
        /// Signal → podrun and every process it had started are gone.
        var gone = Double.nan
        /// Processes with podrun's tag still alive `lingerCheck` seconds after podrun exited.
        var leftBehind = 0
        var exitCode: Int32 = -1
    }

    /// Sends `signal` and measures how long until podrun and everything it started are gone;
    /// anything still alive afterwards is counted and killed.
    func stop(signal: Int32 = SIGTERM, timeout: Double = 60, lingerCheck: Double = 0.5) -> Stop {
        var result = Stop()
        let started = procAvailable ? Array(descendants(of: pid).dropFirst()) : []
        let signalled = monotonicNow()
        kill(pid, signal)
        while monotonicNow() - signalled < timeout, !poll() { pause(0.0005) }
        guard let exitedAt, let exitStatus else {
            kill(pid, SIGKILL)
            poll()
            killTagged(tag)
            return result
        }
        result.exit = exitedAt - signalled
        result.exitCode = exitCode(exitStatus)
        var remaining = started
        while true {
            remaining = remaining.filter(isAlive)
            if remaining.isEmpty {
                result.gone = max(result.exit, monotonicNow() - signalled)
                break
            }
            if monotonicNow() - exitedAt > lingerCheck { break }
            pause(0.0005)
        }
        let linger = lingerCheck - (monotonicNow() - exitedAt)
        if linger > 0 { pause(linger) }
        if procAvailable {
            let left = taggedProcesses(tag)
            result.leftBehind = left.count
            for pid in left { kill(pid, SIGKILL) }
        }
        return result
    }

    /// Kills podrun and everything tagged, without measuring (cleanup after a failed step).
    func abort() {
        if !poll() {
            kill(pid, SIGKILL)
            exitStatus = waitForExit(pid, timeout: 10)
            exitedAt = monotonicNow()
        }
        if procAvailable { killTagged(tag) }
    }

    /// The events of the run (`events.jsonl` in the run directory; needs `--keep` once podrun ended).
    func events() -> [Event] {
        guard let text = readText(eventsFile) else { return [] }
        return text.split(separator: "\n").compactMap(Event.init)
    }
}

/// The fields of one event line the benchmark needs (no JSON parser here: the encoder's output
/// has no spaces and the values used are plain strings).
struct Event {
    let type: String
    let container: String?
    /// Seconds since the epoch (millisecond resolution).
    let time: Double

    init?(_ line: Substring) {
        guard let type = Self.string("type", in: line), let time = Self.string("time", in: line).flatMap(parseRFC3339) else { return nil }
        self.type = type
        self.container = Self.string("container", in: line)
        self.time = time
    }

    private static func string(_ key: String, in line: Substring) -> String? {
        guard let range = line.range(of: "\"\(key)\":\"") else { return nil }
        let rest = line[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}

extension Substring {
    func range(of needle: String) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        let bytes = Array(utf8)
        guard pattern.count <= bytes.count else { return nil }
        outer: for start in 0...(bytes.count - pattern.count) {
            for offset in 0..<pattern.count where bytes[start + offset] != pattern[offset] { continue outer }
            let lower = utf8.index(startIndex, offsetBy: start)
            return lower..<utf8.index(lower, offsetBy: pattern.count)
        }
        return nil
    }
}

/// `2026-11-21T08:15:02.123Z` → seconds since the epoch.
func parseRFC3339(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") else { return nil }
    func number(_ from: Int, _ to: Int) -> Int? {
        var value = 0
        for index in from..<to {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }
    guard let year = number(0, 4), let month = number(5, 7), let day = number(8, 10), let hour = number(11, 13),
        let minute = number(14, 16), let second = number(17, 19)
    else { return nil }
    var fraction = 0.0
    if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
        var scale = 0.1
        var index = 20
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            fraction += Double(bytes[index] - 48) * scale
            scale /= 10
            index += 1
        }
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    return Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
}

/// A pod manifest with the given containers (each a map of extra YAML lines under the name).
func podYAML(name: String, restartPolicy: String = "Never", grace: Int? = nil, containers: [(name: String, body: [String])]) -> String {
    var lines = ["apiVersion: v1", "kind: Pod", "metadata:", "  name: \(name)", "spec:", "  restartPolicy: \(restartPolicy)"]
    if let grace { lines.append("  terminationGracePeriodSeconds: \(grace)") }
    lines.append("  containers:")
    for container in containers {
        lines.append("  - name: \(container.name)")
        for line in container.body { lines.append("    " + line) }
    }
    return lines.joined(separator: "\n") + "\n"
}

/// A YAML flow sequence of strings, each JSON-quoted.
func flow(_ items: [String]) -> String {
    "[" + items.map(quoted).joined(separator: ", ") + "]"
}

func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}

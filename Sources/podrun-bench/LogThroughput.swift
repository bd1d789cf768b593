#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// W2: 1,000,000 lines through `podrun run`, from one container (`seq 1 1000000`) or from 4 at
/// once (`seq -f 'pK %.0f' 1 250000`). Time = launch until podrun exits (every line written and
/// the pod ended). Exact = for every container, the lines of the run output (`wK | ` stripped)
/// and of `podrun logs` have the expected count and checksum: nothing lost, duplicated,
/// reordered or torn (with rotation set above the log's size). Peak RSS = podrun's VmHWM, sampled until it exits.
struct LogThroughput {
    var time: [Double] = []
    var peakResident: [Double] = []
    var exactRuns = 0
    var exactLogs = 0
    var logsTime: [Double] = []
    var floor: [Double] = []
    var problems: [String] = []

    static let totalLines = 1_000_000

    static func run(_ context: BenchContext, writers: Int, reps: Int) throws -> LogThroughput {
        var result = LogThroughput()
        let perWriter = totalLines / writers
        let names = (0..<writers).map { "w\($0)" }
        let commands = (0..<writers).map { k -> [String] in
            writers == 1 ? ["seq", "1", String(perWriter)] : ["seq", "-f", "p\(k) %.0f", "1", String(perWriter)]
        }
        let expected = (0..<writers).map { k -> Checksum in
            var sum = Checksum()
            for i in 1...perWriter { sum.add(line: writers == 1 ? String(i) : "p\(k) \(i)") }
            return sum
        }
        for rep in 0..<reps {
            let directory = try context.directory("w2-\(writers)-\(rep)")
            let yaml = podYAML(name: "w2", containers: zip(names, commands).map { ($0, ["command: " + flow($1)]) })
            // Rotation would (rightly) drop the oldest lines of 1,000,000 (≈ 43 MB of CRI records)
            // from the files, and `podrun logs` could not give them all back.
            let pod = try PodProcess(context, name: "w2", yaml: yaml, in: directory, arguments: ["--keep", "--log-max-size", "200Mi"])
            var peak = 0.0
            let elapsed = pod.waitUntilExit {
                if procAvailable, let hwm = peakResidentMiB(pod.pid) { peak = max(peak, hwm) }
            }
            guard let elapsed else {
                pod.abort()
                throw BenchError("W2: podrun did not finish (see \(directory))")
            }
            result.time.append(elapsed)
            result.peakResident.append(procAvailable ? peak : .nan)

            // The run output: every container's lines, prefix stripped.
            var sums = [Checksum](repeating: Checksum(), count: writers)
            var foreign = 0
            if let output = readBytes(pod.outputFile) {
                let prefixes = names.map { Array(($0 + " | ").utf8) }
                forEachLine(output) { line in
                    for (k, prefix) in prefixes.enumerated() where line.starts(with: prefix) {
                        sums[k].add(line: line.dropFirst(prefix.count))
                        return
                    }
                    if !(line.starts(with: Array("▸".utf8)) || line.starts(with: Array("──".utf8))) { foreign += 1 }
                }
            }
            let runExact = sums == expected
            if runExact { result.exactRuns += 1 } else {
                result.problems.append("run #\(rep + 1): lines \(sums.map(\.lines)), expected \(perWriter) each, checksums \(sums == expected ? "match" : "differ")")
            }

            // podrun logs, container by container.
            var logsExact = true
            let logsStarted = monotonicNow()
            for (k, name) in names.enumerated() {
                let file = directory + "/logs-\(name).out"
                let code = try runCommand([context.podrun, "logs", "w2", "-c", name, "--state-dir", pod.stateDirectory], stdout: file, stderr: directory + "/logs.err")
                var sum = Checksum()
                if let bytes = readBytes(file) { forEachLine(bytes) { sum.add(line: $0) } }
                if code != 0 || sum != expected[k] {
                    logsExact = false
                    result.problems.append("logs #\(rep + 1) \(name): exit \(code), \(sum.lines) lines")
                }
            }
            result.logsTime.append(monotonicNow() - logsStarted)
            if logsExact { result.exactLogs += 1 }
            context.note("W2 \(writers) writer(s) #\(rep + 1): \(format(elapsed, 3)) s, peak RSS \(format(peak, 1)) MiB, run output \(runExact ? "exact" : "NOT exact"), logs \(logsExact ? "exact" : "NOT exact")\(foreign > 0 ? ", \(foreign) other lines" : "")")
            removeTree(directory)
        }
        // The floor: the same lines through one pipe into a file, no supervisor.
        let directory = try context.directory("w2-floor-\(writers)")
        let script = writers == 1
            ? "seq 1 \(perWriter) | cat > \(directory)/out"
            : "(for k in \((0..<writers).map(String.init).joined(separator: " ")); do seq -f \"p$k %.0f\" 1 \(perWriter) & done; wait) | cat > \(directory)/out"
        for _ in 0..<reps {
            let started = monotonicNow()
            try runCommand(["/bin/sh", "-c", script])
            result.floor.append(monotonicNow() - started)
        }
        removeTree(directory)
        return result
    }
}

/// Calls `body` with each line of `bytes` (without its newline; a last line without one too).
func forEachLine(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
    var start = 0
    var index = 0
    let count = bytes.count
    while index < count {
        if bytes[index] == 0x0a {
            body(bytes[start..<index])
            start = index + 1
        }
        index += 1
    }
    if start < count { body(bytes[start..<count]) }
}

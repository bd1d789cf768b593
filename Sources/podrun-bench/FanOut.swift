#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// W1: N long-running containers (`touch MARK; exec sleep 1000`). Start = launch of podrun until
/// every container has created its marker file; stop = SIGTERM to podrun until podrun and every
/// process it started are gone; left behind = processes with the run's environment tag alive
/// 0.5 s after podrun exited; memory = podrun and its shims once everything runs.
/// `exec: false` keeps the shell above `sleep`, so only a process-group kill leaves nothing.
struct FanOut {
    var start: [Double] = []
    var stop: [Double] = []
    var gone: [Double] = []
    var leftBehind: [Double] = []
    var podrunMemory: [Memory] = []
    var shimMemory: [Memory] = []
    var threads: [Double] = []
    var floor: [Double] = []
    /// Processes that shared podrun's Swift runtime library when its memory was measured.
    var sharingRuntime = 0

    static func run(_ context: BenchContext, containers n: Int, exec: Bool, reps: Int, withFloor: Bool) throws -> FanOut {
        var result = FanOut()
        for rep in 0..<reps {
            let directory = try context.directory("w1-\(n)-\(exec ? "exec" : "noexec")-\(rep)")
            let marks = directory + "/marks"
            try makeDirectory(marks)
            let containers = (0..<n).map { index -> (name: String, body: [String]) in
                let name = "p" + pad(index, 3)
                let script = "touch \(marks)/\(name); \(exec ? "exec " : "")sleep 1000"
                return (name, ["command: " + flow(["/bin/sh", "-c", script])])
            }
            let pod = try PodProcess(context, name: "w1", yaml: podYAML(name: "w1", containers: containers), in: directory)
            guard let up = pod.waitForEntries(n, in: marks) else {
                pod.abort()
                throw BenchError("W1: not all \(n) containers started (see \(directory))")
            }
            pause(0.3)
            if procAvailable {
                let processes = podrunProcesses(pod.pid)
                result.podrunMemory.append(Memory.of(processes.podrun))
                result.shimMemory.append(Memory.of(processes.shims))
                result.threads.append(Double(ProcStat.read(pod.pid)?.threads ?? 0))
                result.sharingRuntime = max(result.sharingRuntime, processesSharingSwiftRuntime(with: pod.pid).count)
            }
            let stop = pod.stop()
            result.start.append(up)
            result.stop.append(stop.exit)
            result.gone.append(stop.gone)
            result.leftBehind.append(Double(stop.leftBehind))
            context.note("W1 \(n)\(exec ? "" : " no-exec") #\(rep + 1): start \(format(up, 3)) s, stop \(format(stop.exit, 3)) s, all gone \(format(stop.gone, 3)) s, left \(stop.leftBehind)")
            removeTree(directory)
        }
        if withFloor {
            for rep in 0..<reps { result.floor.append(try shellFloor(context, containers: n, rep: rep)) }
        }
        return result
    }

    /// The same N processes started by one shell loop, without a supervisor.
    private static func shellFloor(_ context: BenchContext, containers n: Int, rep: Int) throws -> Double {
        let directory = try context.directory("w1-floor-\(n)-\(rep)")
        let marks = directory + "/marks"
        try makeDirectory(marks)
        let tag = String(UInt64.random(in: 1...UInt64.max), radix: 16)
        let script = "i=0; while [ $i -lt \(n) ]; do sh -c \"touch \(marks)/p\\$0; exec sleep 1000\" $i & i=$((i+1)); done"
        let started = monotonicNow()
        // Its own process group: the shell's background jobs stay in it, so one kill ends them all.
        let pid = try spawn(["/bin/sh", "-c", script], environment: environment(adding: ["BENCH_TAG": tag]), newProcessGroup: true)
        var elapsed = Double.nan
        while monotonicNow() - started < 60 {
            if countEntries(marks) >= n {
                elapsed = monotonicNow() - started
                break
            }
            pause(0.0005)
        }
        kill(-pid, SIGKILL)
        waitForExit(pid, timeout: 10)
        if procAvailable { killTagged(tag) }
        removeTree(directory)
        return elapsed
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

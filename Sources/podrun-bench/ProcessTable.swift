#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// What the benchmark reads about processes. Linux only (/proc): elsewhere every figure that
// needs it is reported as n/a, and the timings still work.

#if os(Linux)
let procAvailable = true
#else
let procAvailable = false
#endif

/// One line of /proc/PID/stat, the fields the benchmark uses.
struct ProcStat {
    let pid: pid_t
    let comm: String
    let state: Character
    let ppid: pid_t
    /// utime + stime of every thread, dead ones included (clock ticks).
    let ticks: Int
    let threads: Int

    static func read(_ pid: pid_t) -> ProcStat? {
        guard let text = readText("/proc/\(pid)/stat"),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let comm = String(text[text.index(after: open)..<close])
        let rest = text[text.index(close, offsetBy: 2)...].split(separator: " ")
        guard rest.count > 20, let state = rest[0].first, let ppid = pid_t(rest[1]),
            let utime = Int(rest[11]), let stime = Int(rest[12]),
            let threads = Int(rest[17])
        else { return nil }
        return ProcStat(pid: pid, comm: comm, state: state, ppid: ppid, ticks: utime + stime, threads: threads)
    }
}

let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

/// Every process, by reading /proc/*/stat.
func processTable() -> [pid_t: ProcStat] {
    var table: [pid_t: ProcStat] = [:]
    for name in listDirectory("/proc") {
        guard let pid = pid_t(name), let stat = ProcStat.read(pid) else { continue }
        table[pid] = stat
    }
    return table
}

/// `root` and every process below it, children before grandchildren.
func descendants(of root: pid_t, in table: [pid_t: ProcStat]? = nil) -> [pid_t] {
    let table = table ?? processTable()
    var children: [pid_t: [pid_t]] = [:]
    for stat in table.values { children[stat.ppid, default: []].append(stat.pid) }
    var result: [pid_t] = []
    var queue = [root]
    while let pid = queue.first {
        queue.removeFirst()
        result.append(pid)
        queue.append(contentsOf: children[pid] ?? [])
    }
    return result
}

/// podrun itself and its shims (its direct children running podrun-shim): "all podrun processes".
func podrunProcesses(_ root: pid_t) -> (podrun: pid_t, shims: [pid_t]) {
    let table = processTable()
    let shims = table.values.filter { $0.ppid == root && $0.comm == "podrun-shim" }.map(\.pid)
    return (root, shims)
}

/// A process that exists and is not a zombie.
func isAlive(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 || errno == EPERM else { return false }
    #if os(Linux)
    if let stat = ProcStat.read(pid) { return stat.state != "Z" && stat.state != "X" }
    return false
    #else
    return true
    #endif
}

/// Processes whose environment holds `BENCH_TAG=<tag>`: everything podrun started that kept its
/// environment, found even after it was re-parented.
func taggedProcesses(_ tag: String) -> [pid_t] {
    let needle = Array("BENCH_TAG=\(tag)".utf8)
    var found: [pid_t] = []
    for name in listDirectory("/proc") {
        guard let pid = pid_t(name), pid != getpid(), let environ = readBytes("/proc/\(pid)/environ") else { continue }
        if contains(environ, needle), isAlive(pid) { found.append(pid) }
    }
    return found
}

func killTagged(_ tag: String) {
    for pid in taggedProcesses(tag) { kill(pid, SIGKILL) }
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count, let first = needle.first else { return false }
    var index = 0
    let last = haystack.count - needle.count
    while index <= last {
        if haystack[index] == first {
            var match = true
            for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                match = false
                break
            }
            if match { return true }
        }
        index += 1
    }
    return false
}

// MARK: Memory

struct Memory {
    var rss = 0.0  // MiB
    var pss = 0.0
    /// Private pages (clean + dirty): what the process alone holds, whoever else maps the same files.
    var uss = 0.0
    var count = 0

    static func + (a: Memory, b: Memory) -> Memory {
        Memory(rss: a.rss + b.rss, pss: a.pss + b.pss, uss: a.uss + b.uss, count: a.count + b.count)
    }

    static func of(_ pid: pid_t) -> Memory {
        guard let text = readText("/proc/\(pid)/smaps_rollup") else { return Memory() }
        var memory = Memory(count: 1)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let kib = Double(parts[1]) else { continue }
            switch parts[0] {
            case "Rss:": memory.rss = kib / 1024
            case "Pss:": memory.pss = kib / 1024
            case "Private_Clean:", "Private_Dirty:": memory.uss += kib / 1024
            default: break
            }
        }
        return memory
    }

    static func of(_ pids: [pid_t]) -> Memory { pids.map(of).reduce(Memory(), +) }
}

/// When podrun maps the Swift runtime as a shared library, the other processes that map the
/// same file: they share its pages, so podrun's PSS comes out smaller than it is alone.
func processesSharingSwiftRuntime(with pid: pid_t) -> [pid_t] {
    guard let maps = readText("/proc/\(pid)/maps"),
        let line = maps.split(separator: "\n").first(where: { $0.hasSuffix("/libswiftCore.so") }),
        let path = line.split(separator: " ", omittingEmptySubsequences: true).last
    else { return [] }
    var sharing: [pid_t] = []
    for name in listDirectory("/proc") {
        guard let other = pid_t(name), other != pid, let text = readText("/proc/\(other)/maps") else { continue }
        if text.contains(String(path)) { sharing.append(other) }
    }
    return sharing
}

/// VmHWM (peak RSS) in MiB.
func peakResidentMiB(_ pid: pid_t) -> Double? {
    guard let text = readText("/proc/\(pid)/status") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count >= 2, let kib = Double(parts[1]) { return kib / 1024 }
    }
    return nil
}

// MARK: CPU and wake-ups

/// What a set of processes has used so far, summed over every thread.
struct Activity {
    /// On-CPU time (schedstat, nanoseconds) per thread id, of the threads alive now.
    var threadNanoseconds: [pid_t: UInt64] = [:]
    /// utime + stime, dead threads included (ticks).
    var ticks = 0
    /// Voluntary + involuntary context switches per thread id: each is one wake-up.
    var threadSwitches: [pid_t: Int] = [:]

    static func of(_ pids: [pid_t]) -> Activity {
        var activity = Activity()
        for pid in pids {
            if let stat = ProcStat.read(pid) {
                activity.ticks += stat.ticks
            }
            for task in listDirectory("/proc/\(pid)/task") {
                guard let tid = pid_t(task) else { continue }
                if let text = readText("/proc/\(pid)/task/\(tid)/schedstat"),
                    let first = text.split(separator: " ").first, let ns = UInt64(first)
                {
                    activity.threadNanoseconds[tid] = ns
                }
                if let status = readText("/proc/\(pid)/task/\(tid)/status") {
                    var switches = 0
                    for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches") || line.hasPrefix("nonvoluntary_ctxt_switches") {
                        switches += Int(line.split(separator: "\t").last.map { String($0).trimmingWhitespace } ?? "") ?? 0
                    }
                    activity.threadSwitches[tid] = switches
                }
            }
        }
        return activity
    }

    /// CPU seconds used between `earlier` and `self` by threads alive now (a thread that ended in
    /// between is missed; `tickSeconds(since:)` covers it at tick resolution).
    func cpuSeconds(since earlier: Activity) -> Double {
        var total: UInt64 = 0
        for (tid, ns) in threadNanoseconds { total += ns - min(ns, earlier.threadNanoseconds[tid] ?? 0) }
        return Double(total) / 1e9
    }

    /// `cpuSeconds`; when a thread ended in between (its time is lost there), the clock ticks
    /// (which count it) if they are more.
    func cpuSeconds(since earlier: Activity, atLeastTicks: Bool) -> Double {
        let precise = cpuSeconds(since: earlier)
        let threadEnded = earlier.threadNanoseconds.keys.contains { threadNanoseconds[$0] == nil }
        return atLeastTicks && threadEnded ? max(precise, tickSeconds(since: earlier)) : precise
    }

    func tickSeconds(since earlier: Activity) -> Double { Double(ticks - earlier.ticks) / clockTicksPerSecond }

    func wakeups(since earlier: Activity) -> Int {
        var total = 0
        for (tid, n) in threadSwitches { total += n - min(n, earlier.threadSwitches[tid] ?? 0) }
        return total
    }

    var threadCount: Int { threadNanoseconds.count }
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\n" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\n" { text.removeLast() }
        return String(text)
    }
}

import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Micro-measurements of the capture path, run only on request (they assert nothing about time):
/// `PODRUN_LOGS_BENCH=1 swift test -c release --filter LogThroughputBenchmark`.
/// Each runs real `seq` processes under the shim, captured into CRI files, every line prefixed
/// as `podrun run` prints it and written through one `LineOutput` to /dev/null.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["PODRUN_LOGS_BENCH"] != nil))
struct LogThroughputBenchmark {
    @Test(arguments: [(1, 1_000_000), (4, 250_000), (10, 100_000)])
    func linesThroughCaptureFileAndOutput(_ containers: Int, _ linesEach: Int) async throws {
        let launcher = try requireLauncher()
        let rssBefore = Self.residentMiB()
        let peakBefore = Self.peakMiB()
        var timings: [Duration] = []
        let fdsBefore = Self.openDescriptors()
        let repetitions = Int(ProcessInfo.processInfo.environment["PODRUN_LOGS_BENCH_REPS"] ?? "") ?? 5
        for _ in 0..<repetitions {
            let directory = try LogTestDirectory()
            let layout = PodRunDirectoryLayout(runDirectory: directory.url)
            let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
            defer { close(devNull) }
            let output = LineOutput(fileDescriptor: devNull)
            let delivered = LogTestLock(0)
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<containers {
                    let name = "w\(index)"
                    let prefix = Array("\(name) | ".utf8)
                    let capture = try ContainerOutputCapture(
                        container: name, restartCount: 0, logDirectory: layout.logDirectory(container: name), rotation: LogRotation()
                    ) { batch in
                        var bytes: [UInt8] = []
                        LogLineFormatter.appendLines(of: batch, prefix: prefix, to: &bytes)
                        output.write(bytes)
                        delivered.withLock { $0 += batch.lineCount }
                    }
                    group.addTask {
                        _ = try await runCaptured(["seq", "1", "\(linesEach)"], capture: capture, launcher: launcher)
                    }
                }
                try await group.waitForAll()
            }
            output.close()
            timings.append(clock.now - start)
            #expect(delivered.withLock { $0 } == containers * linesEach)
        }
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let maxRSSMiB = usage.ru_maxrss / 1024  // KiB on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        let maxRSSMiB = usage.ru_maxrss / (1024 * 1024)  // bytes on Darwin
        #endif
        _ = maxRSSMiB
        let sorted = timings.sorted()
        print("BENCH \(containers) × \(linesEach) lines: median \(sorted[sorted.count / 2]), min \(sorted[0]), resident \(rssBefore) → \(Self.residentMiB()) MiB, peak of the test process \(peakBefore) → \(maxRSSMiB) MiB, open fds \(fdsBefore) → \(Self.openDescriptors())")
    }

    /// How many file descriptors the process has open (Linux; elsewhere 0).
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    /// The test process's peak resident set so far, in MiB.
    static func peakMiB() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        return usage.ru_maxrss / (1024 * 1024)
        #endif
    }

    /// The test process's resident set now (Linux: /proc/self/statm; elsewhere 0).
    static func residentMiB() -> Int {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = Int(text.split(separator: " ")[1]) ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / (1024 * 1024)
        #else
        return 0
        #endif
    }
}

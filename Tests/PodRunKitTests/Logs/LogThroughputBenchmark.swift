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
        var timings: [Duration] = []
        for _ in 0..<5 {
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
        let sorted = timings.sorted()
        print("BENCH \(containers) × \(linesEach) lines: median \(sorted[sorted.count / 2]), min \(sorted[0]), max RSS of the test process \(maxRSSMiB) MiB")
    }
}

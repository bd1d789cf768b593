import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct LineOutputTests {
    /// The `podrun run` path end to end, minus the CLI: ten real containers × 20,000 lines,
    /// captured, prefixed per line and written through one small `LineOutput` (so producers block
    /// often) while events are written beside them. Every output line must be whole: one
    /// container's prefix and one of its lines, each container's lines in order.
    @Test func tenContainersAndEventsThroughOneOutputNeverMixALine() async throws {
        let launcher = try requireLauncher()
        let directory = try LogTestDirectory()
        let layout = PodRunDirectoryLayout(runDirectory: directory.url)
        let outputPath = directory.file("run-output").path
        let fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        let output = LineOutput(fileDescriptor: fd, capacity: 16 * 1024)
        let names = (0..<10).map { "c\($0)" }
        let lines = 20_000

        try await withThrowingTaskGroup(of: Void.self) { group in
            for name in names {
                let prefix = Array("\(name) | ".utf8)
                let capture = try ContainerOutputCapture(
                    container: name, restartCount: 0, logDirectory: layout.logDirectory(container: name), rotation: LogRotation()
                ) { batch in
                    var bytes: [UInt8] = []
                    LogLineFormatter.appendLines(of: batch, prefix: prefix, to: &bytes)
                    output.write(bytes)
                }
                group.addTask {
                    _ = try await runCaptured(["seq", "1", "\(lines)"], capture: capture, launcher: launcher)
                }
            }
            group.addTask {
                for event in 1...200 {
                    output.writeWithoutWaiting(Array("▸ event \(event)\n".utf8))
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }
        output.close()
        #expect(output.failure == nil)

        let data = try Data(contentsOf: URL(fileURLWithPath: outputPath))
        var next = Dictionary(uniqueKeysWithValues: names.map { ($0, 1) })
        var nextEvent = 1
        var foreign = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("▸ event ") {
                if Int(text.dropFirst("▸ event ".count)) == nextEvent { nextEvent += 1 } else { foreign += 1 }
                continue
            }
            let parts = text.split(separator: " | ", maxSplits: 1)
            guard parts.count == 2, let expected = next[String(parts[0])], Int(parts[1]) == expected else {
                foreign += 1
                continue
            }
            next[String(parts[0])] = expected + 1
        }
        #expect(foreign == 0, "torn, mixed or out-of-order lines")
        #expect(nextEvent == 201, "every event, in order")
        #expect(names.allSatisfy { next[$0] == lines + 1 }, "every line of every container: \(next)")
        #expect(data.last == 0x0A)
    }

    @Test func eventsNeverWaitEvenWhenTheOutputIsStuck() async throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let output = LineOutput(fileDescriptor: writeEnd, capacity: 1024)
        // Nobody reads the pipe: the writer thread blocks once the pipe is full, then the buffer fills.
        let line = Array(String(repeating: "x", count: 1023).utf8) + [0x0A]
        let logsDone = LogTestLock(false)
        let logWriter = Thread {
            for _ in 0..<200 { output.write(line) }  // 200 KiB: far more than fits
            logsDone.withLock { $0 = true }
        }
        logWriter.start()
        let eventsDone = LogTestLock(false)
        let eventWriter = Thread {
            for _ in 0..<100 { output.writeWithoutWaiting(Array("event\n".utf8)) }
            eventsDone.withLock { $0 = true }
        }
        eventWriter.start()
        #expect(await eventually { eventsDone.withLock { $0 } }, "writeWithoutWaiting returned while output was stuck")

        // Unblock: read until EOF. The read end is closed only after the reader is done with it,
        // so the reader can never read a descriptor number another test has reused meanwhile.
        let readerDone = LogTestLock(false)
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while read(readEnd, &buffer, buffer.count) > 0 {}
            readerDone.withLock { $0 = true }
        }
        reader.start()
        #expect(await eventually { logsDone.withLock { $0 } })
        output.close()
        #expect(output.failure == nil)
        close(writeEnd)
        #expect(await eventually { readerDone.withLock { $0 } })
        close(readEnd)
    }

    @Test func aFailedDescriptorDiscardsOutputWithoutBlocking() async throws {
        let output = LineOutput(fileDescriptor: -1, capacity: 16)
        let done = LogTestLock(false)
        let producer = Thread {
            for _ in 0..<1000 { output.write(Array("line that goes nowhere\n".utf8)) }
            done.withLock { $0 = true }
        }
        producer.start()
        #expect(await eventually { done.withLock { $0 } })
        output.flush()
        #expect(output.failure == EBADF)
        output.close()
    }

    @Test func flushWaitsUntilEverythingIsWritten() throws {
        let directory = try LogTestDirectory()
        let path = directory.file("flushed").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(fd) }
        let output = LineOutput(fileDescriptor: fd)
        for index in 0..<1000 { output.write(Array("line \(index)\n".utf8)) }
        output.flush()
        defer { output.close() }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 1000)
        #expect(text.hasSuffix("line 999\n"))
    }
}

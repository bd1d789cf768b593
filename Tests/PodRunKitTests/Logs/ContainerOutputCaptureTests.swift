import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Capture driven by real processes under the real shim, and by writes from the test itself.

@Suite struct ContainerOutputCaptureTests {
    let directory: LogTestDirectory
    let layout: PodRunDirectoryLayout

    init() throws {
        directory = try LogTestDirectory()
        layout = PodRunDirectoryLayout(runDirectory: directory.url)
    }

    func makeCapture(
        _ container: String = "app", restartCount: Int = 0, rotation: LogRotation = LogRotation(),
        fragmentLimit: Int = LogBatch.maximumLineLength, subscriber: @escaping @Sendable (LogBatch) -> Void
    ) throws -> ContainerOutputCapture {
        try ContainerOutputCapture(
            container: container, restartCount: restartCount, logDirectory: layout.logDirectory(container: container),
            rotation: rotation, fragmentLimit: fragmentLimit, subscriber: subscriber)
    }

    // MARK: Volume

    @Test func millionLinesFromOneContainerArriveCompleteAndInOrder() async throws {
        let launcher = try requireLauncher()
        let collector = BatchCollector(keepBatches: false)
        // ≈45 MB of records: rotated into 8 MiB files, all kept, and read back across them.
        let capture = try makeCapture(rotation: LogRotation(maxFileSize: 8 << 20, rotatedFilesKept: 10), subscriber: collector.subscriber)
        let exit = try await runCaptured(["seq", "1", "1000000"], capture: capture, launcher: launcher)
        #expect(exit.exitCode == 0)
        let expected = seqBytes(1...1_000_000)
        let delivered = collector.bytes("app")
        #expect(firstDifference(delivered, expected) == nil, "subscriber: every line, in order")
        let file = readBack(layout, container: "app", restartCount: 0)
        #expect(file.lines.count == 1_000_000)
        #expect(firstDifference(file.content, expected) == nil, "file: every line, in order")
        #expect(file.lines.allSatisfy { $0.stream == .stdout })
    }

    @Test func tenContainersAtOnceKeepEachContainersLinesCompleteAndInOrder() async throws {
        let launcher = try requireLauncher()
        let collector = BatchCollector(keepBatches: false)
        let names = (0..<10).map { "c\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for name in names {
                let capture = try makeCapture(name, subscriber: collector.subscriber)
                group.addTask {
                    let exit = try await runCaptured(["seq", "-f", "\(name) %.0f", "1", "100000"], capture: capture, launcher: launcher)
                    #expect(exit.exitCode == 0)
                }
            }
            try await group.waitForAll()
        }
        for name in names {
            let expected = seqBytes(1...100_000, prefix: "\(name) ")
            #expect(firstDifference(collector.bytes(name), expected) == nil, "subscriber, \(name)")
            #expect(firstDifference(readBack(layout, container: name, restartCount: 0).content, expected) == nil, "file, \(name)")
        }
    }

    // MARK: Line shapes

    @Test func partialLastLineIsKeptAtExit() async throws {
        let launcher = try requireLauncher()
        let collector = BatchCollector()
        let capture = try makeCapture(subscriber: collector.subscriber)
        _ = try await runCaptured(["/bin/sh", "-c", "printf 'first\\nlast without newline'"], capture: capture, launcher: launcher)
        #expect(collector.text("app") == "first\nlast without newline\n")
        let file = readBack(layout, container: "app", restartCount: 0)
        #expect(file.lines.map { String(decoding: $0.text, as: UTF8.self) } == ["first", "last without newline"])
    }

    @Test func oneMebibyteLineIsPartialRecordsInTheFileAndWholeForSubscribers() async throws {
        let collector = BatchCollector()
        let capture = try makeCapture(subscriber: collector.subscriber)
        let line = (0..<(1 << 20)).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        try await write(line + [0x0A] + Array("after\n".utf8), to: capture.standardOutput)
        capture.closeWriteEnds()
        await capture.finish(drainTimeout: .seconds(5))

        let lines = collector.batches.flatMap { batch in
            var lines: [[UInt8]] = []
            batch.forEachLine { lines.append(Array($0)) }
            return lines
        }
        #expect(lines.count == 2)
        #expect(firstDifference(lines.first ?? [], line) == nil, "delivered whole")
        #expect(collector.batches.allSatisfy { !$0.isFragment })

        let raw = try Data(contentsOf: layout.logFile(container: "app", restartCount: 0))
        let records = raw.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        let tags = records.map { record in String(decoding: record.split(separator: 0x20, maxSplits: 3)[2], as: UTF8.self) }
        #expect(tags == Array(repeating: "P", count: 63) + ["F", "F"], "1 MiB = 63 P records of 16 KiB and an F of 16 KiB, then the next line")
        let readLines = readBack(layout, container: "app", restartCount: 0).lines.map(\.text)
        #expect(readLines.count == 2)
        #expect(firstDifference(readLines.first ?? [], line) == nil, "rejoined from the P records")
        #expect(readLines.last == Array("after".utf8))
    }

    @Test func bytesThatAreNotUTF8AreKeptInTheFile() async throws {
        let collector = BatchCollector()
        let capture = try makeCapture(subscriber: collector.subscriber)
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try await write(garbage, to: capture.standardOutput)
        capture.closeWriteEnds()
        await capture.finish(drainTimeout: .seconds(5))

        let expected = garbage.last == 0x0A ? garbage : garbage + [0x0A]
        #expect(firstDifference(collector.bytes("app"), expected) == nil)
        #expect(firstDifference(readBack(layout, container: "app", restartCount: 0).content, expected) == nil)
    }

    @Test func stdoutAndStderrAreTaggedInTheFile() async throws {
        let launcher = try requireLauncher()
        let collector = BatchCollector()
        let capture = try makeCapture(subscriber: collector.subscriber)
        _ = try await runCaptured(["/bin/sh", "-c", "echo out; echo err >&2; echo out2"], capture: capture, launcher: launcher)
        #expect(collector.text("app", .stdout) == "out\nout2\n")
        #expect(collector.text("app", .stderr) == "err\n")
        let lines = readBack(layout, container: "app", restartCount: 0).lines
        #expect(lines.filter { $0.stream == .stderr }.map(\.text) == [Array("err".utf8)])
        #expect(lines.filter { $0.stream == .stdout }.map(\.text) == [Array("out".utf8), Array("out2".utf8)])
        let raw = try String(contentsOf: capture.logFile, encoding: .utf8)
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F .*$/#
        #expect(raw.split(separator: "\n").allSatisfy { $0.wholeMatch(of: pattern) != nil }, "\(raw)")
    }

    @Test func logFileIsPrivate() throws {
        let capture = try makeCapture { _ in }
        var info = stat()
        #expect(stat(capture.logFile.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(capture.logFile.lastPathComponent == "0.log")
    }

    // MARK: Draining

    #if os(Linux)
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid")))
    func escapedGrandchildHoldingThePipeDelaysFinishOnlyByTheDrainTimeout() async throws {
        let launcher = try requireLauncher()
        let collector = BatchCollector()
        let capture = try makeCapture(subscriber: collector.subscriber)
        let pidFile = directory.file("escaped.pid").path
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGKILL)
            }
        }
        // setsid leaves the container's group, so the group kill spares it and it keeps stdout open.
        let script = """
            /usr/bin/setsid /bin/sh -c 'echo $$ > "$0.tmp"; mv "$0.tmp" "$0"; exec sleep 30' "$0" &
            until [ -s "$0" ]; do sleep 0.01; done
            echo main done
            """
        let clock = ContinuousClock()
        let start = clock.now
        let exit = try await runCaptured(["/bin/sh", "-c", script, pidFile], capture: capture, launcher: launcher,
                                         drainTimeout: .milliseconds(200))
        #expect(exit.exitCode == 0)
        #expect(clock.now - start < .seconds(10), "finish does not wait for the escaped process")
        #expect(collector.text("app") == "main done\n", "what was written before the exit is delivered")
        await capture.finish(drainTimeout: .seconds(1))  // idempotent
    }
    #endif

    @Test func finishWithoutAnyProcessReturnsOnceThePipesClose() async throws {
        let collector = BatchCollector()
        let capture = try makeCapture(subscriber: collector.subscriber)
        try await write(Array("only line\n".utf8), to: capture.standardError)
        await capture.finish(drainTimeout: .seconds(5))  // closes the write ends itself
        #expect(collector.text("app", .stderr) == "only line\n")
    }

    // MARK: Backpressure

    @Test func blockedSubscriberHoldsTheWriterBackAndLosesNothing() async throws {
        let gate = DispatchSemaphore(value: 0)
        let entered = LogTestLock(0)
        let collector = BatchCollector()
        let capture = try makeCapture { batch in
            entered.withLock { $0 += 1 }
            gate.wait()
            collector.subscriber(batch)
        }
        let payload = seqBytes(1...200_000)  // ≈1.3 MB: far more than a pipe and one chunk hold
        let writerDone = LogTestLock(false)
        let writer = Task.detached {
            try await write(payload, to: capture.standardOutput)
            writerDone.withLock { $0 = true }
        }
        #expect(await eventually { entered.withLock { $0 } >= 1 })
        // While the first batch is held, the capture reads no more, so the pipe fills and the
        // writer cannot have written everything.
        #expect(!writerDone.withLock { $0 }, "the writer is held back by its full pipe")
        for _ in 0..<100_000 { gate.signal() }
        try await writer.value
        capture.closeWriteEnds()
        await capture.finish(drainTimeout: .seconds(5))
        #expect(firstDifference(collector.bytes("app"), payload) == nil)
        #expect(firstDifference(readBack(layout, container: "app", restartCount: 0).content, payload) == nil)
    }

    // MARK: Rotation

    @Test func rotationKeepsTwoRotatedFilesAndNeverSplitsARecord() async throws {
        let collector = BatchCollector(keepBatches: false)
        let capture = try makeCapture(rotation: LogRotation(maxFileSize: 4096, rotatedFilesKept: 2), subscriber: collector.subscriber)
        let payload = seqBytes(1...20_000)
        try await write(payload, to: capture.standardOutput)
        await capture.finish(drainTimeout: .seconds(5))
        #expect(firstDifference(collector.bytes("app"), payload) == nil, "subscribers get everything whatever the rotation")

        let names = try FileManager.default.contentsOfDirectory(atPath: layout.logDirectory(container: "app").path).sorted()
        #expect(names == ["0.log", "0.log.1", "0.log.2"])
        var previousLast = 0
        for generation in [2, 1, 0] {
            let data = try Data(contentsOf: layout.logFile(container: "app", restartCount: 0, generation: generation))
            #expect(data.count <= 4096)
            #expect(data.last == 0x0A, "whole records only")
            let numbers = String(decoding: data, as: UTF8.self).split(separator: "\n").map { Int($0.split(separator: " ")[3])! }
            if previousLast > 0 { #expect(numbers.first == previousLast + 1, "consecutive files continue each other") }
            #expect(numbers == Array(numbers.first!...numbers.last!))
            previousLast = numbers.last!
        }
        #expect(previousLast == 20_000)
    }
}

/// Writes all of `bytes` to `fd` from a dispatch thread (a pipe write may block until read).
func write(_ bytes: [UInt8], to fd: Int32) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        DispatchQueue.global().async {
            let failure: Int32? = bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return errno }
                }
                return nil
            }
            if let failure { continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: failure) ?? .EIO)) } else { continuation.resume() }
        }
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, bytes, count)
    #else
    Darwin.write(fd, bytes, count)
    #endif
}

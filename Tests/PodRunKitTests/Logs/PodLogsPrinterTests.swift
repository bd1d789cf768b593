import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// `podrun logs` against run directories built by hand (exact records, times) or by real captures.

@Suite struct PodLogsPrinterTests {
    let directory: LogTestDirectory
    let layout: PodRunDirectoryLayout
    /// The fixed "now" of these tests.
    static let now = Date(timeIntervalSince1970: 1_700_000_100)

    init() throws {
        directory = try LogTestDirectory()
        layout = PodRunDirectoryLayout(stateRoot: directory.url, pod: "web")
        try FileManager.default.createDirectory(at: layout.runDirectory, withIntermediateDirectories: true)
    }

    // MARK: Building run directories

    func writeStatus(_ containers: [(String, String, Int)], finished: Bool = true) throws {
        let list = containers.map { #"{"name":"\#($0.0)","kind":"\#($0.1)","restartCount":\#($0.2)}"# }.joined(separator: ",")
        try Data(#"{"phase":"Running","finished":\#(finished),"containers":[\#(list)],"extra":{"ignored":true}}"#.utf8)
            .write(to: layout.statusFile)
    }

    /// A record at `now - secondsAgo`.
    static func record(_ secondsAgo: Int, _ text: String, stream: String = "stdout", tag: String = "F") -> String {
        let time = LogTimestamp(seconds: Int64(now.timeIntervalSince1970) - Int64(secondsAgo), nanoseconds: 5)
        return "\(time.rfc3339Nano) \(stream) \(tag) \(text)\n"
    }

    func writeLog(_ container: String, _ restartCount: Int, generation: Int = 0, _ records: [String]) throws {
        let url = layout.logFile(container: container, restartCount: restartCount, generation: generation)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(records.joined().utf8).write(to: url)
    }

    func capture(_ container: String, _ restartCount: Int, rotation: LogRotation = LogRotation()) throws -> ContainerOutputCapture {
        try ContainerOutputCapture(container: container, restartCount: restartCount, logDirectory: layout.logDirectory(container: container),
                                   rotation: rotation) { _ in }
    }

    // MARK: Running the printer

    func logs(_ request: PodLogsRequest) throws -> String {
        let output = directory.file("out-\(UUID().uuidString)")
        let fd = open(output.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(fd) }
        try PodLogsPrinter(request: request, layout: layout, now: { Self.now }).run(output: fd)
        return try String(decoding: Data(contentsOf: output), as: UTF8.self)
    }

    func logsError(_ request: PodLogsRequest) -> PodLogsError? {
        do {
            _ = try logs(request)
            return nil
        } catch let error as PodLogsError {
            return error
        } catch {
            return PodLogsError("unexpected \(error)")
        }
    }

    // MARK: Which container

    @Test func singleContainerPrintsRawLinesOfBothStreamsInFileOrder() throws {
        try writeStatus([("app", "regular", 0)])
        try writeLog("app", 0, [
            Self.record(30, "hello", stream: "stdout", tag: "F"),
            Self.record(30, "warning: x", stream: "stderr", tag: "F"),
            Self.record(29, "long ", stream: "stdout", tag: "P"),
            Self.record(29, "line ", stream: "stdout", tag: "P"),
            Self.record(29, "joined", stream: "stdout", tag: "F"),
            Self.record(28, "", stream: "stdout", tag: "F"),
            Self.record(28, "  spaces  kept ", stream: "stdout", tag: "F"),
        ])
        #expect(try logs(PodLogsRequest(pod: "web")) == "hello\nwarning: x\nlong line joined\n\n  spaces  kept \n")
    }

    @Test func bytesThatAreNotUTF8ComeOutUnchanged() throws {
        try writeStatus([("app", "regular", 0)])
        let url = layout.logFile(container: "app", restartCount: 0)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(Array(Self.record(1, "x", stream: "stdout", tag: "F").utf8.dropLast(2)) + [0xFF, 0xC3, 0x28, 0x0A]).write(to: url)
        let output = directory.file("raw")
        let fd = open(output.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try PodLogsPrinter(request: PodLogsRequest(pod: "web"), layout: layout).run(output: fd)
        close(fd)
        #expect(try Array(Data(contentsOf: output)) == [0xFF, 0xC3, 0x28, 0x0A])
    }

    @Test func severalContainersNeedANameAsKubectlSays() throws {
        try writeStatus([("app", "regular", 0), ("proxy", "regular", 0)])
        try writeLog("app", 0, [Self.record(1, "a")])
        let error = logsError(PodLogsRequest(pod: "web"))
        #expect(error == PodLogsError("a container name must be specified for pod web, choose one of: [app proxy]", exitCode: 2))
    }

    @Test func initContainersAreListedSeparately() throws {
        try writeStatus([("setup", "init", 0), ("mesh", "sidecar", 0), ("app", "regular", 0), ("proxy", "regular", 0)])
        #expect(logsError(PodLogsRequest(pod: "web"))?.message
            == "a container name must be specified for pod web, choose one of: [app proxy] or one of the init containers: [setup mesh]")
    }

    @Test func theOnlyRegularContainerIsChosenBesideInitContainers() throws {
        try writeStatus([("setup", "init", 0), ("app", "regular", 0)])
        try writeLog("setup", 0, [Self.record(2, "init line")])
        try writeLog("app", 0, [Self.record(1, "app line")])
        #expect(try logs(PodLogsRequest(pod: "web")) == "app line\n")
    }

    struct ErrorCase: Sendable, CustomStringConvertible {
        let request: PodLogsRequest
        let message: String
        let exitCode: Int32
        var description: String { message }
    }

    @Test(arguments: [
        ErrorCase(request: PodLogsRequest(pod: "web", container: "nope"), message: "container nope is not valid for pod web", exitCode: 1),
        ErrorCase(request: PodLogsRequest(pod: "web", container: "app", previous: true),
                  message: #"previous terminated container "app" in pod "web" not found"#, exitCode: 1),
        ErrorCase(request: PodLogsRequest(pod: "web", container: "waiting"),
                  message: #"container "waiting" in pod "web" is waiting to start"#, exitCode: 1),
        ErrorCase(request: PodLogsRequest(pod: "web", container: "app", allContainers: true),
                  message: "--container cannot be given with --all-containers", exitCode: 2),
    ])
    func errors(_ c: ErrorCase) throws {
        try writeStatus([("app", "regular", 0), ("waiting", "regular", 0)])
        try writeLog("app", 0, [Self.record(1, "a")])
        #expect(logsError(c.request) == PodLogsError(c.message, exitCode: c.exitCode))
    }

    @Test func missingRunDirectoryIsNotFound() throws {
        let other = PodRunDirectoryLayout(stateRoot: directory.url, pod: "gone")
        do {
            try PodLogsPrinter(request: PodLogsRequest(pod: "gone"), layout: other).run(output: -1)
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix(#"pod "gone" not found: no run directory "#))
        }
    }

    @Test func withoutStatusTheLogDirectoriesNameTheContainers() throws {
        try writeLog("only", 0, [Self.record(1, "from the only log directory")])
        #expect(try logs(PodLogsRequest(pod: "web")) == "from the only log directory\n")
    }

    @Test func whileThePodRunsARecordBeingWrittenIsNotPrinted() throws {
        try writeStatus([("app", "regular", 0)], finished: false)
        let torn = String(Self.record(1, "being writ").dropLast(3))  // "…F being wr", no newline
        try writeLog("app", 0, [Self.record(3, "done"), Self.record(2, "long line in prog", tag: "P"), torn])
        let lock = try SupervisorLock(layout)
        #expect(try logs(PodLogsRequest(pod: "web")) == "done\n", "running: only what is surely complete")
        lock.release()
        #expect(try logs(PodLogsRequest(pod: "web")) == "done\nlong line in progbeing wr\n", "ended: everything the file has (the F ends the P)")
    }

    // MARK: Flags

    @Test func allContainersWithPrefixInSpecOrder() throws {
        try writeStatus([("setup", "init", 0), ("app", "regular", 1), ("proxy", "regular", 0), ("late", "regular", 0)])
        try writeLog("setup", 0, [Self.record(9, "init done")])
        try writeLog("app", 0, [Self.record(8, "old app")])
        try writeLog("app", 1, [Self.record(7, "app 1"), Self.record(6, "app 2")])
        try writeLog("proxy", 0, [Self.record(5, "proxy up", stream: "stderr", tag: "F")])
        #expect(try logs(PodLogsRequest(pod: "web", allContainers: true, prefix: true)) == """
            [pod/web/setup] init done
            [pod/web/app] app 1
            [pod/web/app] app 2
            [pod/web/proxy] proxy up

            """)
    }

    @Test func timestampsAreTheRecordsOwnAndComeAfterThePrefix() throws {
        try writeStatus([("app", "regular", 0)])
        try writeLog("app", 0, [Self.record(3, "a", tag: "P"), Self.record(2, "b")])
        let first = LogTimestamp(seconds: Int64(Self.now.timeIntervalSince1970) - 3, nanoseconds: 5).rfc3339Nano
        #expect(try logs(PodLogsRequest(pod: "web", timestamps: true, prefix: true)) == "[pod/web/app] \(first) ab\n",
                "a line joined from P records has its first record's time")
    }

    struct TailCase: Sendable, CustomStringConvertible {
        let tail: Int?
        let expected: String
        var description: String { "tail \(tail.map(String.init) ?? "all")" }
    }

    @Test(arguments: [
        TailCase(tail: nil, expected: "1\n2\n3\n4\n5\n"),
        TailCase(tail: 0, expected: ""),
        TailCase(tail: 1, expected: "5\n"),
        TailCase(tail: 3, expected: "3\n4\n5\n"),
        TailCase(tail: 100, expected: "1\n2\n3\n4\n5\n"),
    ])
    func tail(_ c: TailCase) throws {
        try writeStatus([("app", "regular", 0)])
        // Across a rotated part and the current file.
        try writeLog("app", 0, generation: 1, [Self.record(9, "1"), Self.record(8, "2")])
        try writeLog("app", 0, [Self.record(7, "3"), Self.record(6, "4"), Self.record(5, "5")])
        #expect(try logs(PodLogsRequest(pod: "web", tail: c.tail)) == c.expected)
    }

    struct SinceCase: Sendable, CustomStringConvertible {
        let since: String
        let tail: Int?
        let expected: String
        var description: String { "since \(since) tail \(tail.map(String.init) ?? "all")" }
    }

    @Test(arguments: [
        SinceCase(since: "2h", tail: nil, expected: "hour\nminute\nseconds\nnow\n"),
        SinceCase(since: "5m", tail: nil, expected: "minute\nseconds\nnow\n"),
        SinceCase(since: "10s", tail: nil, expected: "seconds\nnow\n"),
        SinceCase(since: "250ms", tail: nil, expected: "now\n"),
        SinceCase(since: "5m", tail: 1, expected: "now\n"),
    ])
    func since(_ c: SinceCase) throws {
        try writeStatus([("app", "regular", 0)])
        try writeLog("app", 0, [Self.record(3600, "hour"), Self.record(60, "minute"), Self.record(5, "seconds"), Self.record(0, "now")])
        let since = try #require(DurationText.parse(c.since))
        #expect(try logs(PodLogsRequest(pod: "web", tail: c.tail, since: since)) == c.expected)
    }

    // MARK: Instances

    @Test func previousAfterARestartShowsTheEarlierInstance() async throws {
        try writeStatus([("app", "regular", 2)])
        for instance in 0...2 {
            let capture = try capture("app", instance)
            try await write(Array("instance \(instance) line 1\ninstance \(instance) line 2\n".utf8), to: capture.standardOutput)
            await capture.finish(drainTimeout: .seconds(5))
        }
        #expect(try logs(PodLogsRequest(pod: "web")) == "instance 2 line 1\ninstance 2 line 2\n")
        #expect(try logs(PodLogsRequest(pod: "web", previous: true)) == "instance 1 line 1\ninstance 1 line 2\n")
        #expect(try logs(PodLogsRequest(pod: "web", previous: true, tail: 1)) == "instance 1 line 2\n")
    }

    // MARK: Following

    @Test func followCrossesARestartAndEndsWithThePod() async throws {
        try writeStatus([("app", "regular", 0)], finished: false)
        let lock = try SupervisorLock(layout)
        let first = try capture("app", 0)
        try await write(Array("before follow\n".utf8), to: first.standardOutput)
        let run = try FollowRun(PodLogsRequest(pod: "web", follow: true), layout: layout)

        try await run.waitFor("before follow\n")
        try await write(Array("while following\npartial ".utf8), to: first.standardOutput)
        try await run.waitFor("while following\n")
        try await write(Array("line\n".utf8), to: first.standardOutput)
        try await run.waitFor("partial line\n")
        await first.finish(drainTimeout: .seconds(5))

        let second = try capture("app", 1)
        try await write(Array("after restart\n".utf8), to: second.standardOutput)
        try await run.waitFor("after restart\n")
        try await write(Array("last words".utf8), to: second.standardOutput)
        await second.finish(drainTimeout: .seconds(5))

        lock.release()
        try await run.waitForEnd()
        #expect(run.output == "before follow\nwhile following\npartial line\nafter restart\nlast words\n")
    }

    @Test func followReadsAcrossRotationWithoutLosingLines() async throws {
        try writeStatus([("app", "regular", 0)], finished: false)
        let lock = try SupervisorLock(layout)
        let capture = try capture("app", 0, rotation: LogRotation(maxFileSize: 2000, rotatedFilesKept: 3))
        let run = try FollowRun(PodLogsRequest(pod: "web", follow: true), layout: layout)
        // Small writes, each waited for, so the follower sees every rotation happen.
        var expected = ""
        for batch in 0..<30 {
            let text = (0..<10).map { "batch \(batch) line \($0)\n" }.joined()
            expected += text
            try await write(Array(text.utf8), to: capture.standardOutput)
            try await run.waitFor(text)
        }
        await capture.finish(drainTimeout: .seconds(5))
        lock.release()
        try await run.waitForEnd()
        #expect(run.output == expected)
    }

    @Test func followWaitsForAContainerThatHasNotStartedAndStopsWhenThePodEnds() async throws {
        try writeStatus([("setup", "init", 0), ("app", "regular", 0)], finished: false)
        let lock = try SupervisorLock(layout)
        let run = try FollowRun(PodLogsRequest(pod: "web", container: "app", follow: true, tail: 5), layout: layout)
        let capture = try capture("app", 0)
        try await write(Array("started late\n".utf8), to: capture.standardOutput)
        try await run.waitFor("started late\n")
        await capture.finish(drainTimeout: .seconds(5))
        lock.release()
        try await run.waitForEnd()
        #expect(run.output == "started late\n")
    }

    @Test func followAfterThePodEndedPrintsWhatThereIsAndReturns() throws {
        try writeStatus([("app", "regular", 0)])
        try writeLog("app", 0, [Self.record(1, "done")])
        #expect(try logs(PodLogsRequest(pod: "web", follow: true)) == "done\n")
    }

    @Test func supervisorLockTellsWhetherThePodRuns() throws {
        #expect(!layout.isSupervisorRunning(), "no lock file")
        let lock = try SupervisorLock(layout)
        #expect(layout.isSupervisorRunning())
        lock.release()
        #expect(!layout.isSupervisorRunning(), "lock file nobody holds")
    }
}

// MARK: - Helpers

/// Holds the pod's lock as a live supervisor does, until `release()` or deinit.
final class SupervisorLock: Sendable {
    private let fd: LogTestLock<Int32>

    init(_ layout: PodRunDirectoryLayout) throws {
        let fd = open(layout.lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0, flock(fd, LOCK_EX) == 0 else { throw POSIXError(.EIO) }
        self.fd = LogTestLock(fd)
    }

    func release() {
        fd.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    deinit { release() }
}

/// `podrun logs -f` on a thread of its own, its output collected from a pipe.
final class FollowRun: Sendable {
    private let output_ = LogTestLock<[UInt8]>([])
    private let result = LogTestLock<Result<Void, PodLogsError>?>(nil)
    private let readEnd: Int32

    init(_ request: PodLogsRequest, layout: PodRunDirectoryLayout) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        readEnd = fds[0]
        let writeEnd = fds[1]
        let result = self.result
        let thread = Thread {
            let printer = PodLogsPrinter(request: request, layout: layout, pollInterval: .milliseconds(5))
            let outcome: Result<Void, PodLogsError>
            do throws(PodLogsError) {
                try printer.run(output: writeEnd)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            close(writeEnd)
            result.withLock { $0 = outcome }
        }
        thread.start()
        let output = output_
        let reader = Thread { [readEnd] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                output.withLock { $0 += buffer[..<n] }
            }
            close(readEnd)
        }
        reader.start()
    }

    var output: String { String(decoding: output_.withLock { $0 }, as: UTF8.self) }

    func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws {
        guard await eventually(timeout: timeout, { output.hasSuffix(text) || output.contains(text) }) else {
            throw LogTestTimeout(what: "\(text.debugDescription) in \(output.debugDescription)")
        }
    }

    func waitForEnd(timeout: Duration = .seconds(30)) async throws {
        guard await eventually(timeout: timeout, { result.withLock { $0 } != nil }) else {
            throw LogTestTimeout(what: "podrun logs -f to end")
        }
        if case .failure(let error) = result.withLock({ $0 }) { throw error }
    }
}

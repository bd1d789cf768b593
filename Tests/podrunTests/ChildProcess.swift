import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process for end-to-end tests (`podrun-demo`, or `podrun` itself): started with pipes
/// on stdout and stderr, whose lines are collected as they arrive so a test can wait for a
/// specific line (with a timeout) instead of sleeping and hoping. `stop()` kills and reaps it;
/// call it in a `defer`.
final class ChildProcess: @unchecked Sendable {
    // Why @unchecked is safe: `process`, the pipes and `arguments` are set in `init` and never
    // reassigned. The mutable state (`output`, `closedStreams`, `exited`) is only read or written
    // while `condition` is locked, by the reader threads, the termination handler and the test.
    private let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let arguments: [String]
    private let condition = NSCondition()
    private var output: [Stream: [String]] = [.stdout: [], .stderr: []]
    private var closedStreams: Set<Stream> = []
    private var exited = false

    /// Which output a line came from.
    enum Stream: Hashable, Sendable {
        case stdout, stderr
    }

    /// How the process ended.
    struct Exit: Equatable {
        let status: Int32
        /// True when a signal ended it; `status` is then the signal number.
        let bySignal: Bool
    }

    /// Starts `podrun-demo` with `arguments`.
    convenience init(_ arguments: [String]) throws {
        try self.init(executable: try Self.binary(), arguments)
    }

    /// Starts `executable` with `arguments`; `environment` entries are added to the test's.
    init(executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.arguments = arguments
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [self] _ in
            condition.lock()
            exited = true
            condition.broadcast()
            condition.unlock()
        }
        try process.run()
        startReader(stdoutPipe.fileHandleForReading.fileDescriptor, stream: .stdout)
        startReader(stderrPipe.fileHandleForReading.fileDescriptor, stream: .stderr)
    }

    var pid: Int32 { process.processIdentifier }

    /// Lines received so far on `stream`.
    func lines(_ stream: Stream = .stdout) -> [String] {
        condition.lock()
        defer { condition.unlock() }
        return output[stream] ?? []
    }

    /// Waits for a line on `stream` that contains `text` and returns it. Fails with the output
    /// so far when the timeout passes or the stream ends first.
    @discardableResult
    func waitForLine(containing text: String, on stream: Stream = .stdout, timeout: Double = 30) throws -> String {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let line = output[stream]?.first(where: { $0.contains(text) }) {
                return line
            }
            if closedStreams.contains(stream) {
                throw DemoTestError("\(stream) of \(process.executableURL?.lastPathComponent ?? "?") \(arguments.joined(separator: " ")) ended without a line containing '\(text)'; \(transcript())")
            }
            if !condition.wait(until: deadline) {
                throw DemoTestError("no line containing '\(text)' on \(stream) of \(process.executableURL?.lastPathComponent ?? "?") \(arguments.joined(separator: " ")) within \(timeout)s; \(transcript())")
            }
        }
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to end and for its output to be fully read.
    func waitForExit(timeout: Double = 30) throws -> Exit {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        while !(exited && closedStreams.count == 2) {
            if !condition.wait(until: deadline) {
                let text = transcript()
                condition.unlock()
                throw DemoTestError("\(process.executableURL?.lastPathComponent ?? "?") \(arguments.joined(separator: " ")) still running after \(timeout)s; \(text)")
            }
        }
        condition.unlock()
        return Exit(status: process.terminationStatus, bySignal: process.terminationReason == .uncaughtSignal)
    }

    var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !exited
    }

    /// Kills the process if it is still running and reaps it. Safe to call more than once.
    func stop() {
        if isRunning {
            send(SIGKILL)
        }
        _ = try? waitForExit(timeout: 10)
    }

    /// Both outputs, for failure messages. Call with `condition` locked.
    private func transcript() -> String {
        "stdout: \(output[.stdout] ?? []) stderr: \(output[.stderr] ?? [])"
    }

    private func startReader(_ fd: Int32, stream: Stream) {
        Thread.detachNewThread { [self] in
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                pending += buffer[..<count]
                var lines: [String] = []
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
                if !lines.isEmpty {
                    condition.lock()
                    output[stream, default: []] += lines
                    condition.broadcast()
                    condition.unlock()
                }
            }
            condition.lock()
            if !pending.isEmpty {
                output[stream, default: []].append(String(decoding: pending, as: UTF8.self))
            }
            closedStreams.insert(stream)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The built `podrun-demo`: `$PODRUN_DEMO_BINARY` if set, otherwise next to the test bundle
    /// (`swift build` puts every product of the package in the same directory).
    static func binary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["PODRUN_DEMO_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var starts = [Bundle(for: ChildProcess.self).bundleURL, Bundle.main.bundleURL,
                      URL(fileURLWithPath: CommandLine.arguments[0])]
        starts += Bundle.allBundles.map(\.bundleURL)
        for start in starts {
            // The bundle is …/debug/podrunPackageTests.xctest (a directory on macOS, the test
            // executable itself on Linux); the binary sits in …/debug.
            var directory = start
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("podrun-demo")
                if FileManager.default.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                directory.deleteLastPathComponent()
            }
        }
        throw DemoTestError("podrun-demo not found next to the test bundle; run 'swift build' first or set PODRUN_DEMO_BINARY")
    }
}

/// A failed expectation about a demo process, with the evidence in its message.
struct DemoTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Shared helpers of the log tests: temporary directories, a thread-safe batch collector, real
// processes under the real shim, and waits with deadlines.

/// A value behind a lock. `@unchecked Sendable` is sound: `value` is only touched inside
/// `withLock`, which holds `lock`.
final class LogTestLock<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

struct LogTestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A temporary directory, removed with everything in it when the object goes.
final class LogTestDirectory: Sendable {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-logs-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    func write(_ relative: String, _ text: String) throws {
        let target = file(relative)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: target)
    }
}

/// Collects what a capture delivers, per container and stream, and lets a test wait for it.
final class BatchCollector: Sendable {
    struct Key: Hashable { var container: String; var stream: LogStream }
    private struct State {
        var bytes: [Key: [UInt8]] = [:]
        var batches: [LogBatch] = []
        var keepBatches: Bool
    }
    private let state: LogTestLock<State>

    init(keepBatches: Bool = true) {
        state = LogTestLock(State(keepBatches: keepBatches))
    }

    var subscriber: @Sendable (LogBatch) -> Void {
        { [state] batch in
            state.withLock { state in
                state.bytes[Key(container: batch.container, stream: batch.stream), default: []].append(contentsOf: batch.lines)
                if state.keepBatches { state.batches.append(batch) }
            }
        }
    }

    func bytes(_ container: String, _ stream: LogStream = .stdout) -> [UInt8] {
        state.withLock { $0.bytes[Key(container: container, stream: stream)] ?? [] }
    }

    func text(_ container: String, _ stream: LogStream = .stdout) -> String {
        String(decoding: bytes(container, stream), as: UTF8.self)
    }

    var batches: [LogBatch] { state.withLock { $0.batches } }
}

/// `seq 1 n` as bytes, built without a String per line.
func seqBytes(_ range: ClosedRange<Int>, prefix: String = "") -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(range.count * (prefix.utf8.count + 8))
    let prefixBytes = Array(prefix.utf8)
    var digits = [UInt8](repeating: 0, count: 20)
    for value in range {
        out.append(contentsOf: prefixBytes)
        var v = value
        var count = 0
        repeat {
            digits[count] = UInt8(48 + v % 10)
            v /= 10
            count += 1
        } while v > 0
        while count > 0 {
            count -= 1
            out.append(digits[count])
        }
        out.append(0x0A)
    }
    return out
}

/// Reads an instance's whole log (rotated parts, then the current file) back through the CRI decoder.
func readBack(_ layout: PodRunDirectoryLayout, container: String, restartCount: Int) -> (content: [UInt8], lines: [(stream: LogStream, text: [UInt8])]) {
    let cursor = ContainerLogCursor(layout: layout, container: container, restartCount: restartCount)
    var content: [UInt8] = []
    var lines: [(LogStream, [UInt8])] = []
    let emit: (CRILogLine) -> Void = { line in
        content.append(contentsOf: line.content)
        content.append(0x0A)
        lines.append((line.stream, Array(line.content)))
    }
    cursor.readExisting(emit)
    cursor.finishInstance(emit)
    return (content, lines)
}

/// Runs `argv` under the shim with its output captured, waits for the exit (with a deadline),
/// then finishes the capture.
func runCaptured(
    _ argv: [String],
    capture: ContainerOutputCapture,
    launcher: ProcessLauncher,
    drainTimeout: Duration = .seconds(5),
    timeout: Duration = .seconds(30)
) async throws -> PodRunKit.ProcessExit {
    let (exits, continuation) = AsyncStream.makeStream(of: PodRunKit.ProcessExit.self)
    let process: ShimProcess
    do {
        process = try await launcher.launch(
            ProcessLaunchSpec(argv: argv, environment: ProcessInfo.processInfo.environment,
                              standardOutput: capture.standardOutput, standardError: capture.standardError)
        ) { status in
            continuation.yield(status)
            continuation.finish()
        }
    } catch {
        capture.closeWriteEnds()
        throw error
    }
    capture.closeWriteEnds()
    let status = try await withThrowingTaskGroup(of: PodRunKit.ProcessExit?.self) { group in
        group.addTask { await exits.first { _ in true } }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let status = try await group.next() ?? nil else {
            process.killImmediately()
            throw LogTestTimeout(what: "\(argv) to exit")
        }
        return status
    }
    await capture.finish(drainTimeout: drainTimeout)
    return status
}

/// A shared launcher for the log tests.
let logTestLauncher: ProcessLauncher? = try? ProcessLauncher(shimPath: ProcessLauncher.locateShim())

/// The launcher, or a test failure naming why there is none.
func requireLauncher() throws -> ProcessLauncher {
    try #require(logTestLauncher, "podrun-shim not found (build it: swift build)")
}

/// Where two byte arrays first differ, described for a test failure; nil when they are equal.
/// (`#expect(a == b)` on megabytes would make Swift Testing diff them, which takes minutes.)
func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
    if actual == expected { return nil }
    let common = zip(actual, expected).prefix { $0 == $1 }.count
    func around(_ bytes: [UInt8]) -> String {
        let start = max(0, common - 40)
        let end = min(bytes.count, common + 40)
        return String(decoding: bytes[start..<end], as: UTF8.self).debugDescription
    }
    return "sizes \(actual.count) and \(expected.count), first difference at byte \(common): got \(around(actual)), expected \(around(expected))"
}

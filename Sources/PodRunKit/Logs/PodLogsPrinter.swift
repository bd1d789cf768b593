import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `podrun logs`: reads a pod's log files from its run directory and prints the lines as the
/// container wrote them, the way `kubectl logs` prints a pod's logs.
///
/// It lives in the library, not the CLI, so it can be tested without a process. It only reads
/// files, so it works alike while the pod runs and after it ended (while the run directory is
/// kept); `-f` polls the files (`pollInterval`) because no file-change notification is portable,
/// and stops once the supervisor's lock is free, after a last read of everything.
public final class PodLogsPrinter {
    public let request: PodLogsRequest
    public let layout: PodRunDirectoryLayout
    private let pollInterval: Duration
    private let now: () -> Date
    private var output: [UInt8] = []
    private var fd: Int32 = STDOUT_FILENO

    public init(
        request: PodLogsRequest,
        layout: PodRunDirectoryLayout,
        pollInterval: Duration = .milliseconds(100),
        now: @escaping () -> Date = Date.init
    ) {
        self.request = request
        self.layout = layout
        self.pollInterval = pollInterval
        self.now = now
    }

    /// Prints to `fileDescriptor` (borrowed); with `follow`, returns when the pod has ended.
    public func run(output fileDescriptor: Int32) throws(PodLogsError) {
        fd = fileDescriptor
        guard layout.exists else {
            throw PodLogsError(
                "pod \"\(request.pod)\" not found: no run directory \(layout.runDirectory.path) "
                    + "(it exists while the pod runs, and afterwards with podrun run --keep)")
        }
        let containers = try selectContainers()
        let since = request.since.map { LogTimestamp(now().addingTimeInterval(-Self.seconds($0))) }
        let single = containers.count == 1 && !request.allContainers

        var cursors: [(cursor: ContainerLogCursor, prefix: [UInt8])] = []
        for name in containers {
            let instances = layout.instances(of: name)
            let restartCount: Int
            if request.previous {
                // The instance before the latest one that has a log.
                guard instances.count >= 2 else {
                    if single { throw PodLogsError("previous terminated container \"\(name)\" in pod \"\(request.pod)\" not found") }
                    continue
                }
                restartCount = instances[instances.count - 2]
            } else if let current = instances.last {
                restartCount = current
            } else if request.follow {
                restartCount = -1  // not started yet: the cursor waits for its first file
            } else {
                if single { throw PodLogsError("container \"\(name)\" in pod \"\(request.pod)\" is waiting to start") }
                continue
            }
            let prefix = request.prefix ? Array("[pod/\(request.pod)/\(name)] ".utf8) : []
            cursors.append((ContainerLogCursor(layout: layout, container: name, restartCount: restartCount), prefix))
        }

        // What exists now, with --since and --tail applied. While the pod runs, the latest
        // instance's file may end in a record being written: that is left for later (-f) or out.
        let following = request.follow && !request.previous
        let running = layout.isSupervisorRunning()
        for (cursor, prefix) in cursors {
            var tail = request.tail.map { TailBuffer(limit: $0) }
            let emit: (CRILogLine) -> Void = { line in
                if let since, let time = line.timestamp, time < since { return }
                if tail != nil {
                    var bytes: [UInt8] = []
                    self.format(line, prefix: prefix, into: &bytes)
                    tail!.append(bytes)
                } else {
                    self.format(line, prefix: prefix, into: &self.output)
                    self.flushIfLarge()
                }
            }
            cursor.readExisting(emit)
            if !following { cursor.finishInstance(complete: request.previous || !running, emit) }
            if let tail { for line in tail.lines { output.append(contentsOf: line) } }
            try flushOutput()
        }
        guard following else { return }

        while true {
            let ended = !layout.isSupervisorRunning()
            var progressed = false
            for (cursor, prefix) in cursors {
                let emit: (CRILogLine) -> Void = { line in
                    self.format(line, prefix: prefix, into: &self.output)
                    self.flushIfLarge()
                }
                if cursor.poll(emit) { progressed = true }
                while cursor.advanceIfNewerInstance(emit) { progressed = true }
                if ended { cursor.finishInstance(emit) }
            }
            try flushOutput()
            if ended { return }
            if !progressed { Self.sleep(pollInterval) }
        }
    }

    // MARK: Choosing containers

    /// The containers to print, as kubectl chooses them.
    private func selectContainers() throws(PodLogsError) -> [String] {
        let status = PodStatusSnapshot.read(from: layout.statusFile)
        let known: [(name: String, isInit: Bool)] =
            status?.containers.isEmpty == false
            ? status!.containers.map { ($0.name, $0.kind != .regular) } : layout.containersWithLogs().map { ($0, false) }
        if request.allContainers {
            if request.container != nil {
                throw PodLogsError("--container cannot be given with --all-containers", exitCode: 2)
            }
            return known.map(\.name)
        }
        if let container = request.container {
            guard known.contains(where: { $0.name == container }) || !layout.instances(of: container).isEmpty else {
                throw PodLogsError("container \(container) is not valid for pod \(request.pod)")
            }
            return [container]
        }
        if known.count == 1 { return [known[0].name] }
        let regular = known.filter { !$0.isInit }
        if regular.count == 1 { return [regular[0].name] }
        guard !known.isEmpty else {
            throw PodLogsError("pod \(request.pod) has no containers with logs yet")
        }
        var message = "a container name must be specified for pod \(request.pod), choose one of: [\(regular.map(\.name).joined(separator: " "))]"
        let initContainers = known.filter { $0.isInit }
        if !initContainers.isEmpty {
            message += " or one of the init containers: [\(initContainers.map(\.name).joined(separator: " "))]"
        }
        throw PodLogsError(message, exitCode: 2)
    }

    // MARK: Output

    private func format(_ line: CRILogLine, prefix: [UInt8], into bytes: inout [UInt8]) {
        bytes.append(contentsOf: prefix)
        if request.timestamps {
            bytes.append(contentsOf: line.timestampText)
            bytes.append(0x20)
        }
        bytes.append(contentsOf: line.content)
        bytes.append(0x0A)
    }

    private var pendingError: PodLogsError?

    private func flushIfLarge() {
        if output.count >= 64 * 1024, pendingError == nil {
            do { try flushOutput() } catch { pendingError = error }
        }
    }

    private func flushOutput() throws(PodLogsError) {
        if let pendingError { throw pendingError }
        defer { output.removeAll(keepingCapacity: output.capacity <= 1 << 20) }
        let failure: Int32? = output.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return n < 0 ? errno : EIO
                }
            }
            return nil
        }
        if let failure {
            let error = PodLogsError("cannot write the logs: \(String(cString: strerror(failure)))")
            pendingError = error
            throw error
        }
    }

    // MARK: -

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private static func sleep(_ duration: Duration) {
        let nanoseconds = max(0, seconds(duration)) * 1e9
        var request = timespec(tv_sec: Int(nanoseconds / 1e9), tv_nsec: Int(nanoseconds.truncatingRemainder(dividingBy: 1e9)))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

/// The last `limit` items appended, in order (for `--tail`).
struct TailBuffer {
    let limit: Int
    private var storage: [[UInt8]] = []
    private var next = 0

    init(limit: Int) { self.limit = max(0, limit) }

    mutating func append(_ line: [UInt8]) {
        guard limit > 0 else { return }
        if storage.count < limit {
            storage.append(line)
        } else {
            storage[next] = line
            next = (next + 1) % limit
        }
    }

    var lines: [[UInt8]] { Array(storage[next...] + storage[..<next]) }
}

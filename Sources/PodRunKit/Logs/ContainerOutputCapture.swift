import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Captures one container instance's stdout and stderr into its CRI log file and to a subscriber.
///
/// Each stream is a pipe whose read end is watched by the process's `PipeReactor` (one thread
/// polling every pipe): no thread waits on a pipe, and reading never waits for the container to
/// exit. Both streams of one instance are read on one serial queue (so the file needs no lock and
/// its records keep the order in which podrun read them); different instances run in parallel.
///
/// For each chunk read (up to 64 KiB) the capture takes the time once, frames the chunk into CRI
/// records with one `write(2)` to the file, then hands the chunk's whole lines to the subscriber
/// as one `LogBatch`. **Backpressure**: the subscriber may block (the `podrun run` terminal writer
/// does when it is behind); while it does, this instance's pipes are not read, so the container
/// blocks in `write(2)` once its pipe is full. Nothing is dropped; a fast container is slowed.
///
/// Life cycle: create it, give `standardOutput`/`standardError` to the launch, call
/// `closeWriteEnds()` after the launch (whether it succeeded or not), and `finish(drainTimeout:)`
/// after the process exited. Dropping the object without `finish` abandons unread output.
public final class ContainerOutputCapture: Sendable {
    public let container: String
    public let restartCount: Int
    /// `<logDirectory>/<restartCount>.log`.
    public let logFile: URL
    /// Write end of the stdout pipe, for `ProcessLaunchSpec.standardOutput` (close-on-exec, so
    /// only the process it is handed to gets it). Closed by `closeWriteEnds()`.
    public let standardOutput: Int32
    /// Write end of the stderr pipe, for `ProcessLaunchSpec.standardError`.
    public let standardError: Int32
    private let core: CaptureCore

    /// Bytes read from a pipe at a time.
    static let chunkSize = 64 * 1024

    /// `logDirectory` = `<run dir>/logs/<container>`; creates it (mode 0700 for new directories)
    /// and `<restartCount>.log` (mode 0600), which replaces any stale file of that instance.
    /// The subscriber is called on capture queues, possibly concurrently for different
    /// instances; one stream of one instance delivers in order.
    public convenience init(
        container: String,
        restartCount: Int,
        logDirectory: URL,
        rotation: LogRotation,
        subscriber: @escaping @Sendable (LogBatch) -> Void
    ) throws(LogCaptureError) {
        try self.init(container: container, restartCount: restartCount, logDirectory: logDirectory, rotation: rotation,
                      fragmentLimit: LogBatch.maximumLineLength, subscriber: subscriber)
    }

    /// As the public initialiser, with a smaller fragment limit for tests.
    init(
        container: String,
        restartCount: Int,
        logDirectory: URL,
        rotation: LogRotation,
        fragmentLimit: Int,
        subscriber: @escaping @Sendable (LogBatch) -> Void
    ) throws(LogCaptureError) {
        let directory = logDirectory.path
        // Usually one mkdir(2) (or none after the first instance); FileManager for missing parents.
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw LogCaptureError(message: "cannot create log directory \(directory): \(error.localizedDescription)")
            }
        }
        let file = try LogFileWriter(directory: directory, restartCount: restartCount, rotation: rotation)
        let out = try LogPipe.make()
        let err: (read: Int32, write: Int32)
        do {
            err = try LogPipe.make()
        } catch {
            close(out.read)
            close(out.write)
            throw error
        }
        self.container = container
        self.restartCount = restartCount
        self.logFile = URL(fileURLWithPath: file.path)
        self.standardOutput = out.write
        self.standardError = err.write
        core = CaptureCore(
            container: container, restartCount: restartCount, file: file,
            readEnds: [(.stdout, out.read), (.stderr, err.read)], writeEnds: [out.write, err.write],
            fragmentLimit: fragmentLimit, subscriber: subscriber)
        core.start()
    }

    deinit { core.abandon() }

    /// Closes podrun's copies of the write ends, so EOF comes once every process holding them
    /// (the container's group, or escaped grandchildren) is gone. Idempotent.
    public func closeWriteEnds() {
        core.closeWriteEnds()
    }

    /// After the process exited: waits until both pipes reach EOF or `drainTimeout` passes (an
    /// escaped grandchild may hold them open), delivers the rest, flushes and closes the file.
    /// On timeout, what is already in the pipes is still read; only later writes are lost.
    /// Also closes the write ends if that was not done. Idempotent; later calls return at once.
    public func finish(drainTimeout: Duration) async {
        core.closeWriteEnds()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            core.finish(drainTimeout: drainTimeout, continuation: continuation)
        }
    }
}

// MARK: - The capture's state

/// Everything a capture mutates while it runs.
///
/// `@unchecked Sendable` is sound because of confinement: every mutable property except
/// `writeEnds` is read and written only by code running on `queue`, a serial queue (the pipe
/// handlers the reactor schedules there, and blocks this class submits with
/// `queue.async`/`asyncAfter`), or by `init` before the first block is submitted (`queue.async`
/// orders those writes before everything that runs on the queue). The public methods never touch that state
/// directly, they only submit work to `queue`. `writeEnds` is only accessed while
/// `writeEndsLock` is held. The subscriber is `@Sendable`.
private final class CaptureCore: @unchecked Sendable {
    /// One pipe's reader; lives on `queue`.
    final class Reader {
        let stream: LogStream
        let fd: Int32
        /// The `PipeReactor` registration, once watched.
        var token: UInt64?
        var framer: LineFramer
        var open = true

        init(stream: LogStream, fd: Int32, fragmentLimit: Int) {
            self.stream = stream
            self.fd = fd
            self.framer = LineFramer(stream: stream, fragmentLimit: fragmentLimit)
        }
    }

    let container: String
    let restartCount: Int
    let subscriber: @Sendable (LogBatch) -> Void
    /// A serial queue targeting an overcommitting global queue, so a subscriber blocked by
    /// backpressure holds one thread without starving the shared pool (the launcher's monitors).
    let queue: DispatchQueue

    // Confined to `queue`:
    private var readers: [Reader]
    private var file: LogFileWriter?
    private var fileBuffer: [UInt8] = []
    /// Allocated at the first output: most containers of a big pod say little or nothing, and
    /// 64 KiB each would make podrun's memory grow with the pod for no use.
    private var readBufferStorage: UnsafeMutableBufferPointer<UInt8>?
    private var readBuffer: UnsafeMutableBufferPointer<UInt8> {
        if let buffer = readBufferStorage { return buffer }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: ContainerOutputCapture.chunkSize)
        readBufferStorage = buffer
        fileBuffer.reserveCapacity(ContainerOutputCapture.chunkSize + ContainerOutputCapture.chunkSize / 2)
        return buffer
    }
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var done = false
    private var drainTimerArmed = false

    // Guarded by `writeEndsLock`:
    private let writeEndsLock = NSLock()
    private var writeEnds: [Int32]

    init(
        container: String, restartCount: Int, file: LogFileWriter, readEnds: [(LogStream, Int32)], writeEnds: [Int32],
        fragmentLimit: Int, subscriber: @escaping @Sendable (LogBatch) -> Void
    ) {
        self.container = container
        self.restartCount = restartCount
        self.file = file
        self.subscriber = subscriber
        self.writeEnds = writeEnds
        self.readers = readEnds.map { Reader(stream: $0.0, fd: $0.1, fragmentLimit: fragmentLimit) }
        self.queue = DispatchQueue(label: "podrun.logs.\(container).\(restartCount)", qos: .userInitiated)
    }

    deinit {
        readBufferStorage?.deallocate()
    }

    func start() {
        queue.async { [self] in
            for (index, reader) in readers.enumerated() where reader.open {
                reader.token = PipeReactor.shared.register(fd: reader.fd, queue: queue) { [self] in
                    readAvailable(index)
                }
            }
        }
    }

    func closeWriteEnds() {
        let fds = writeEndsLock.withLock {
            let fds = writeEnds
            writeEnds = []
            return fds
        }
        for fd in fds { close(fd) }
    }

    func finish(drainTimeout: Duration, continuation: CheckedContinuation<Void, Never>) {
        queue.async { [self] in
            if done {
                continuation.resume()
                return
            }
            waiters.append(continuation)
            guard !drainTimerArmed else { return }
            drainTimerArmed = true
            let (seconds, attoseconds) = drainTimeout.components
            let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
            // Weak: a capture that completes before the deadline must not live (with its
            // buffers) until the timer fires.
            queue.asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) { [weak self] in
                self?.forceDrain()
            }
        }
    }

    /// The public object went away: stop reading, close everything.
    func abandon() {
        closeWriteEnds()
        queue.async { [self] in
            guard !done else { return }
            for reader in readers where reader.open {
                reader.open = false
                stopWatching(reader)
            }
            complete()
        }
    }

    // MARK: On `queue`

    private func readAvailable(_ index: Int) {
        let reader = readers[index]
        guard reader.open else { return }
        // Bounded per report (2 MiB), so the other stream of this instance gets its turn; the
        // reactor reports the pipe again while data is left.
        for _ in 0..<32 {
            let n = read(reader.fd, readBuffer.baseAddress, readBuffer.count)
            if n > 0 {
                process(reader, UnsafeBufferPointer(rebasing: readBuffer[..<n]))
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                endOfStream(reader)  // EOF, or an error that makes the pipe unusable
                return
            }
        }
    }

    private func process(_ reader: Reader, _ chunk: UnsafeBufferPointer<UInt8>) {
        let time = LogTimestamp.now()
        fileBuffer.removeAll(keepingCapacity: true)
        let deliveries = reader.framer.consume(chunk, time: time, file: &fileBuffer)
        deliver(reader, deliveries, time: time)
    }

    /// File first, then the subscriber: a subscriber that blocks never holds back the file.
    private func deliver(_ reader: Reader, _ deliveries: [LineFramer.Delivery], time: LogTimestamp) {
        file?.write(fileBuffer)
        guard !deliveries.isEmpty else { return }
        let date = time.date
        for delivery in deliveries {
            subscriber(LogBatch(container: container, restartCount: restartCount, stream: reader.stream, time: date,
                                lines: delivery.bytes, isFragment: delivery.isFragment))
        }
    }

    private func endOfStream(_ reader: Reader) {
        guard reader.open else { return }
        reader.open = false
        let time = LogTimestamp.now()
        fileBuffer.removeAll(keepingCapacity: true)
        let deliveries = reader.framer.finish(time: time, file: &fileBuffer)
        deliver(reader, deliveries, time: time)
        stopWatching(reader)
        if readers.allSatisfy({ !$0.open }) { complete() }
    }

    /// Unregisters the read end (on `queue`, so its handler cannot run again) and closes it.
    private func stopWatching(_ reader: Reader) {
        if let token = reader.token { PipeReactor.shared.unregister(token) }
        reader.token = nil
        close(reader.fd)
    }

    /// The drain timeout passed: read what is in the pipes now (bounded, in case an escaped
    /// writer keeps writing), then treat both streams as ended.
    private func forceDrain() {
        guard !done else { return }
        for reader in readers where reader.open {
            var budget = 16 * ContainerOutputCapture.chunkSize
            while budget > 0, reader.open {
                let n = read(reader.fd, readBuffer.baseAddress, min(readBuffer.count, budget))
                if n > 0 {
                    process(reader, UnsafeBufferPointer(rebasing: readBuffer[..<n]))
                    budget -= n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            endOfStream(reader)
        }
    }

    private func complete() {
        guard !done else { return }
        done = true
        file?.close()
        file = nil
        fileBuffer = []
        for reader in readers { reader.framer = LineFramer(stream: reader.stream) }
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
    }
}

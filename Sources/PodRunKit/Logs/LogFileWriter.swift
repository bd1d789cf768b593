import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends CRI records to one container instance's log file and rotates it by size.
///
/// Owned by one capture and used from its serial queue only (not `Sendable`). Every `write`
/// gets whole records; the file is cut only at a record boundary, so a reader never sees a
/// record split across two files. Writes are plain blocking `write(2)` calls on a regular file:
/// they land in the page cache, so the file never needs to drop anything to keep up.
final class LogFileWriter {
    let directory: String
    let restartCount: Int
    let rotation: LogRotation
    private var fd: Int32
    private(set) var size = 0
    /// The errno of the first failed write; the file is not written to after that (the lines
    /// still reach subscribers).
    private(set) var failure: Int32?

    var path: String { directory + "/" + LogRotation.fileName(restartCount: restartCount) }

    /// Creates `directory/<restartCount>.log` (mode 0600), replacing a stale file of that name
    /// and deleting stale rotated files, so the instance's log starts empty.
    init(directory: String, restartCount: Int, rotation: LogRotation) throws(LogCaptureError) {
        self.directory = directory
        self.restartCount = restartCount
        self.rotation = rotation
        for generation in 1...1000 {
            let stale = directory + "/" + LogRotation.fileName(restartCount: restartCount, generation: generation)
            if unlink(stale) != 0 && errno == ENOENT { break }
        }
        let path = directory + "/" + LogRotation.fileName(restartCount: restartCount)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LogCaptureError(message: "cannot create log file \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close() }

    /// Writes `records` (whole records), rotating before a record that would not fit.
    func write(_ records: [UInt8]) {
        guard !records.isEmpty, failure == nil, fd >= 0 else { return }
        records.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count, failure == nil {
                let remaining = buffer.count - offset
                let limit = rotation.maxFileSize
                if limit <= 0 || size + remaining <= limit {
                    writeAll(UnsafeBufferPointer(rebasing: buffer[offset...]))
                    return
                }
                // Write the records that fit, then rotate.
                var cut = Self.lastRecordEnd(in: UnsafeBufferPointer(rebasing: buffer[offset..<offset + max(0, limit - size)]))
                if cut == 0 {
                    if size > 0 {
                        rotate()
                        continue
                    }
                    // A single record larger than the limit: it gets a file of its own.
                    cut = Self.firstRecordEnd(in: UnsafeBufferPointer(rebasing: buffer[offset...]))
                }
                writeAll(UnsafeBufferPointer(rebasing: buffer[offset..<offset + cut]))
                offset += cut
                if offset < buffer.count { rotate() }
            }
        }
    }

    func close() {
        if fd >= 0 {
            systemClose(fd)
            fd = -1
        }
    }

    // MARK: -

    private func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        var written = 0
        while written < bytes.count {
            let n = systemWrite(fd, base + written, bytes.count - written)
            if n > 0 {
                written += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                failure = n < 0 ? errno : EIO
                break
            }
        }
        size += written
    }

    /// `N.log.(K-1)` → `N.log.K`, …, `N.log` → `N.log.1`, then a new empty `N.log`. The old file
    /// is closed before it is renamed, so once a follower sees the rename the old file is complete.
    private func rotate() {
        close()
        let kept = rotation.rotatedFilesKept
        let current = path
        if kept == 0 {
            unlink(current)
        } else {
            for generation in stride(from: kept, to: 1, by: -1) {
                rename(
                    directory + "/" + LogRotation.fileName(restartCount: restartCount, generation: generation - 1),
                    directory + "/" + LogRotation.fileName(restartCount: restartCount, generation: generation))
            }
            rename(current, directory + "/" + LogRotation.fileName(restartCount: restartCount, generation: 1))
        }
        fd = open(current, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        size = 0
        if fd < 0 { failure = errno }
    }

    /// The length of the longest prefix of `bytes` made of whole records (0 if none ends).
    static func lastRecordEnd(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = bytes.count
        while index > 0 {
            if bytes[index - 1] == 0x0A { return index }
            index -= 1
        }
        return 0
    }

    /// The length of the first record of `bytes` (all of it if no newline).
    static func firstRecordEnd(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress, let found = memchr(base, 0x0A, bytes.count) else { return bytes.count }
        return UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base + 1
    }
}

// The class's own `close()`/`write(_:)` hide the C functions inside it.
private func systemClose(_ fd: Int32) { _ = close(fd) }
private func systemWrite(_ fd: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int { write(fd, bytes, count) }

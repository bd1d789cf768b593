#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a file by name the way `tail -F` does: waits for it to exist, copies each complete
/// new line to stdout, starts over when the file is truncated, and reopens it when it is
/// replaced (a new inode at the path, as log rotation does). Polling keeps it portable and the
/// cost when idle is two `stat` calls and one empty read per round.
///
/// Its own messages go to stderr so that stdout carries exactly the file's lines.
final class FileFollower {
    private let path: String
    private var fd: Int32 = -1
    /// Device and inode of the open file, to notice when the path names another file.
    private var identity: (device: UInt64, inode: UInt64) = (0, 0)
    /// Bytes of the open file consumed so far.
    private var offset: Int64 = 0
    /// A last line still waiting for its newline.
    private var partial: [UInt8] = []
    /// Whether the next open reads the file from its start: after the first open, and when the
    /// file did not exist yet (everything in it is then new).
    private var readFromStart: Bool
    private var reportedMissing = false
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// `fromStart` prints what the file already holds when first opened; otherwise only lines
    /// added later. Files that appear or reappear later are always read from the start.
    init(path: String, fromStart: Bool) {
        self.path = path
        readFromStart = fromStart
    }

    /// One round: open if needed, print what was added, react to truncation or replacement.
    func poll() {
        if fd >= 0 {
            drain()
            var info = stat()
            if fstat(fd, &info) == 0 && Int64(info.st_size) < offset {
                Console.err("tail: \(path) was truncated, reading from the start")
                _ = lseek(fd, 0, SEEK_SET)
                offset = 0
                partial.removeAll()
                drain()
            }
            var current = stat()
            if stat(path, &current) != 0 || Self.identity(of: current) != identity {
                flushPartial()
                POSIX.close(fd)
                fd = -1
                Console.err("tail: \(path) was replaced or removed, reopening")
            }
        }
        if fd < 0 {
            open()
        }
    }

    private func open() {
        #if canImport(Glibc)
        let opened = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
        let opened = Darwin.open(path, O_RDONLY | O_CLOEXEC)
        #endif
        guard opened >= 0 else {
            readFromStart = true
            if !reportedMissing {
                Console.err("tail: waiting for \(path) to appear")
                reportedMissing = true
            }
            return
        }
        var info = stat()
        fstat(opened, &info)
        fd = opened
        identity = Self.identity(of: info)
        reportedMissing = false
        offset = readFromStart ? 0 : Int64(lseek(fd, 0, SEEK_END))
        readFromStart = true
        Console.err("tail: following \(path)\(offset > 0 ? " from byte \(offset)" : "")")
        drain()
    }

    /// Reads everything currently after `offset` and prints the complete lines in one write.
    private func drain() {
        var output: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { POSIX.read(fd, into: $0) }
            guard count > 0 else { break }
            offset += Int64(count)
            let chunk = buffer[..<count]
            if let lastNewline = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                output += partial
                output += chunk[...lastNewline]
                partial = Array(chunk[(lastNewline + 1)...])
            } else {
                partial += chunk
            }
        }
        if !output.isEmpty { Console.outBytes(output) }
    }

    /// Prints an unterminated last line of a file that is going away, as `tail -F` does.
    private func flushPartial() {
        guard !partial.isEmpty else { return }
        Console.outBytes(partial + [UInt8(ascii: "\n")])
        partial.removeAll()
    }

    private static func identity(of info: stat) -> (device: UInt64, inode: UInt64) {
        (UInt64(truncatingIfNeeded: info.st_dev), UInt64(truncatingIfNeeded: info.st_ino))
    }
}

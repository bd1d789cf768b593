#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log output. Every line goes out with a single `write(2)` straight to the file descriptor, so
/// nothing sits in a stdio buffer when stdout is a pipe (podrun reads it live), lines from
/// different threads never interleave mid-line, and no shared mutable `FILE*` is touched (which
/// Swift 6 strict concurrency rejects anyway).
enum Console {
    /// Writes `line` and a newline to standard output.
    static func out(_ line: String) {
        emit(line, to: STDOUT_FILENO)
    }

    /// Writes `line` and a newline to standard error: usage errors and, for `tail`, its own
    /// messages (its stdout carries only the followed file's lines).
    static func err(_ line: String) {
        emit(line, to: STDERR_FILENO)
    }

    /// Writes raw bytes to standard output. Returns false once the reader has gone away (EPIPE),
    /// so bulk writers can stop early.
    @discardableResult
    static func outBytes(_ bytes: [UInt8]) -> Bool {
        POSIX.writeAll(STDOUT_FILENO, bytes)
    }

    private static func emit(_ line: String, to fd: Int32) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        // A vanished reader (EPIPE, SIGPIPE is ignored) must not kill the workload: drop the line.
        _ = POSIX.writeAll(fd, bytes)
    }
}

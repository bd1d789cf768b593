import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates the pipes container output goes through.
///
/// Both ends must be close-on-exec from the first instant: podrun starts other children
/// concurrently, and a write end leaked into another container's shim would hold the pipe open
/// and delay this container's EOF until that shim exits. The read end is non-blocking because a
/// dispatch source reads it until `EAGAIN`; the write end stays blocking, so a container writing
/// faster than podrun reads simply waits (backpressure, never loss).
enum LogPipe {
    static func make() throws(LogCaptureError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        // Glibc's module map hides pipe2 (it needs _GNU_SOURCE): look it up once at run time.
        let rc: Int32
        if let pipe2 = pipe2Function {
            rc = fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress!, O_CLOEXEC) }
        } else {
            rc = pipe(&fds)
            if rc == 0 { for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        }
        #else
        // Darwin has no pipe2. The moment before FD_CLOEXEC is harmless for podrun's own
        // children: Foundation spawns them with POSIX_SPAWN_CLOEXEC_DEFAULT on Darwin.
        let rc = pipe(&fds)
        if rc == 0 { for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        #endif
        guard rc == 0 else {
            throw LogCaptureError(message: "cannot create a pipe for container output: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    #if os(Linux)
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// `pipe2(2)` from the C library (glibc ≥ 2.9, musl), or nil if it has none.
    private static let pipe2Function: Pipe2? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()
    #endif
}

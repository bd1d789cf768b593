#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few places where Glibc and Darwin import the same C API with different Swift types, plus
/// errno formatting and the write loop every file needs. Keeping them here lets the rest of the
/// target use one spelling on both platforms instead of scattering `#if` blocks.
enum POSIX {
    /// `SOCK_STREAM` as the `Int32` that `socket(2)` and `getaddrinfo(3)` want; Glibc imports it
    /// as an enum case, Darwin as a plain constant.
    static var streamSocketType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    /// The C library's text for an errno value, e.g. "Connection refused".
    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Writes every byte of `buffer` to `fd`, retrying on EINTR and short writes (pipes and
    /// sockets accept partial writes). Returns false on a real error, with `errno` set.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        guard var base = buffer.baseAddress else { return true }
        var remaining = buffer.count
        while remaining > 0 {
            let written = write(fd, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            remaining -= written
            base += written
        }
        return true
    }

    /// `writeAll` for a byte array.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    /// `read(2)` retried on EINTR: the byte count, 0 at end of stream, -1 on error (`errno` set).
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            #if canImport(Glibc)
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #else
            let count = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if count < 0 && errno == EINTR { continue }
            return count
        }
    }

    /// `close(2)`, spelled so it can be called where a type's own `close()` method would shadow it.
    static func close(_ fd: Int32) {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}

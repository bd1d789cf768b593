import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Complete lines read from one stream of one container instance at one moment.
///
/// Capture hands lines on in batches, not one by one, so that a subscriber (the `podrun run`
/// renderer) does one piece of work and one write per chunk read from the pipe. The bytes are
/// exactly what the container wrote (not necessarily UTF-8); every line ends in `"\n"`, and a
/// final line the container left unterminated at exit gets one appended.
///
/// A line longer than `maximumLineLength` is handed on in pieces, one per batch, each with
/// `isFragment == true` except the last, so memory stays bounded however long a line is; a
/// subscriber that ignores the flag shows such a line as several lines.
public struct LogBatch: Sendable {
    public let container: String
    public let restartCount: Int
    public let stream: LogStream
    /// When podrun read the lines (every line of a chunk shares it).
    public let time: Date
    /// One or more complete lines, each ending in `"\n"`.
    public let lines: [UInt8]
    /// True when `lines` is a piece (with `"\n"` appended) of a line longer than
    /// `maximumLineLength`, continued in the next batch of the same stream.
    public let isFragment: Bool

    /// Lines up to this length (4 MiB) reach subscribers whole.
    public static let maximumLineLength = 4 * 1024 * 1024

    public init(container: String, restartCount: Int, stream: LogStream, time: Date, lines: [UInt8], isFragment: Bool = false) {
        self.container = container
        self.restartCount = restartCount
        self.stream = stream
        self.time = time
        self.lines = lines
        self.isFragment = isFragment
    }

    /// The number of lines (newlines) in the batch.
    public var lineCount: Int {
        lines.withUnsafeBufferPointer { buffer in
            var count = 0
            buffer.forEachLineRange { _ in count += 1 }
            return count
        }
    }

    /// Calls `body` with each line's bytes, without its `"\n"`, in order.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try lines.withUnsafeBufferPointer { buffer in
            try buffer.forEachLineRange { range in
                try body(UnsafeBufferPointer(rebasing: buffer[range]))
            }
        }
    }

    /// The lines as strings (invalid UTF-8 repaired), for tests and diagnostics.
    public var decodedLines: [String] {
        var result: [String] = []
        forEachLine { result.append(String(decoding: $0, as: UTF8.self)) }
        return result
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Calls `body` with the range of each newline-terminated line (newline excluded), found
    /// with `memchr`; bytes after the last newline are not a line and are ignored.
    @inline(__always)
    func forEachLineRange(_ body: (Range<Int>) throws -> Void) rethrows {
        guard let base = baseAddress else { return }
        var start = 0
        while start < count, let found = memchr(base + start, 0x0A, count - start) {
            let end = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            try body(start..<end)
            start = end + 1
        }
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits one stream's bytes, chunk by chunk, into CRI log records for the file and into whole
/// lines for subscribers.
///
/// It works on raw bytes (`memchr`, `memcpy` through array appends), never a `String` per line,
/// because it sits on the path every byte a container writes takes. State carried between
/// chunks is the line the container has not finished yet:
///
/// - the file gets `P` records of exactly `recordLimit` bytes while more of the line follows, then
///   an `F` record with the rest, as the kubelet's CRI format does (containerd reads with a 16 KiB
///   buffer); a line no longer than `recordLimit` is one `F` record. The same split applies
///   whether the line arrived in one chunk or many, so the file does not depend on timing.
/// - subscribers get the line whole once its newline arrives, unless it grows past
///   `fragmentLimit`: then it is handed on in pieces of exactly `fragmentLimit` bytes.
struct LineFramer {
    /// The kubelet's (containerd's) maximum record content: 16 KiB.
    static let recordLimit = 16 * 1024

    /// What one chunk produced for subscribers, in order.
    struct Delivery {
        var bytes: [UInt8]
        var isFragment: Bool
    }

    let stream: LogStream
    /// Pieces handed to subscribers when a line grows past this; a multiple of `recordLimit`.
    let fragmentLimit: Int
    /// The unfinished line: bytes not yet handed to subscribers.
    private var partial: [UInt8] = []
    /// How many bytes at the start of `partial` are already in the file as `P` records.
    private var partialWritten = 0
    /// `"<time> stdout F "` and `"<time> stdout P "`, rebuilt once per chunk.
    private var finalPrefix: [UInt8] = []
    private var partialPrefix: [UInt8] = []

    init(stream: LogStream, fragmentLimit: Int = LogBatch.maximumLineLength) {
        self.stream = stream
        let rounded = max(1, fragmentLimit / Self.recordLimit) * Self.recordLimit
        self.fragmentLimit = rounded
    }

    /// True when an unfinished line is pending.
    var hasPartialLine: Bool { !partial.isEmpty || partialWritten > 0 }

    /// Frames `chunk` (read at `time`): appends records to `file` and returns what subscribers get.
    mutating func consume(_ chunk: UnsafeBufferPointer<UInt8>, time: LogTimestamp, file: inout [UInt8]) -> [Delivery] {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return [] }
        setPrefix(time)
        var deliveries: [Delivery] = []
        var lines: [UInt8] = []
        var start = 0
        var runStart = -1  // first byte of the run of whole lines that lie inside this chunk
        var runEnd = -1
        while start < chunk.count, let found = memchr(base + start, 0x0A, chunk.count - start) {
            let newline = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            if hasPartialLine {
                // The unfinished line ends here.
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<newline]))
                partial.withUnsafeBufferPointer { whole in
                    appendRecords(of: UnsafeBufferPointer(rebasing: whole[partialWritten...]), to: &file)
                }
                lines.reserveCapacity(partial.count + 1 + (chunk.count - newline))
                lines.append(contentsOf: partial)
                lines.append(0x0A)
                partial.removeAll(keepingCapacity: partial.capacity <= 64 * 1024)
                partialWritten = 0
            } else {
                if newline - start <= Self.recordLimit {
                    file.append(contentsOf: finalPrefix)
                    file.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start...newline]))
                } else {
                    appendRecords(of: UnsafeBufferPointer(rebasing: chunk[start..<newline]), to: &file)
                }
                if runStart < 0 { runStart = start }
                runEnd = newline + 1
            }
            start = newline + 1
        }
        if runStart >= 0 {
            lines.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[runStart..<runEnd]))
        }
        if !lines.isEmpty { deliveries.append(Delivery(bytes: lines, isFragment: false)) }
        if start < chunk.count {
            // An unfinished line: keep it, and write P records for whatever is surely not its end.
            partial.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start...]))
            while partial.count - partialWritten > Self.recordLimit {
                partial.withUnsafeBufferPointer { whole in
                    let piece = UnsafeBufferPointer(rebasing: whole[partialWritten..<partialWritten + Self.recordLimit])
                    appendRecord(piece, prefix: partialPrefix, to: &file)
                }
                partialWritten += Self.recordLimit
            }
            while partialWritten >= fragmentLimit {
                var piece = Array(partial[..<fragmentLimit])
                piece.append(0x0A)
                deliveries.append(Delivery(bytes: piece, isFragment: true))
                partial.removeFirst(fragmentLimit)
                partialWritten -= fragmentLimit
            }
        }
        return deliveries
    }

    /// The stream ended: an unfinished line becomes a final record and a final line with `"\n"`.
    mutating func finish(time: LogTimestamp, file: inout [UInt8]) -> [Delivery] {
        guard hasPartialLine else { return [] }
        setPrefix(time)
        partial.withUnsafeBufferPointer { whole in
            appendRecords(of: UnsafeBufferPointer(rebasing: whole[partialWritten...]), to: &file)
        }
        var line = partial
        line.append(0x0A)
        partial = []
        partialWritten = 0
        return [Delivery(bytes: line, isFragment: false)]
    }

    // MARK: Records

    private mutating func setPrefix(_ time: LogTimestamp) {
        finalPrefix.removeAll(keepingCapacity: true)
        time.append(to: &finalPrefix)
        finalPrefix.append(0x20)
        finalPrefix.append(contentsOf: stream.rawValue.utf8)
        finalPrefix.append(0x20)
        partialPrefix = finalPrefix
        finalPrefix.append(contentsOf: [UInt8(ascii: "F"), 0x20])
        partialPrefix.append(contentsOf: [UInt8(ascii: "P"), 0x20])
    }

    /// The rest of a line (everything not yet in the file): `P` records while more than
    /// `recordLimit` bytes remain, then the `F` record (possibly empty).
    private func appendRecords(of content: UnsafeBufferPointer<UInt8>, to file: inout [UInt8]) {
        var offset = 0
        while content.count - offset > Self.recordLimit {
            appendRecord(UnsafeBufferPointer(rebasing: content[offset..<offset + Self.recordLimit]), prefix: partialPrefix, to: &file)
            offset += Self.recordLimit
        }
        appendRecord(UnsafeBufferPointer(rebasing: content[offset...]), prefix: finalPrefix, to: &file)
    }

    @inline(__always)
    private func appendRecord(_ content: UnsafeBufferPointer<UInt8>, prefix: [UInt8], to file: inout [UInt8]) {
        file.append(contentsOf: prefix)
        file.append(contentsOf: content)
        file.append(0x0A)
    }
}

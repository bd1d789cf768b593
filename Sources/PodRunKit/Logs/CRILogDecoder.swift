import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line read back from a CRI log file, its `P` records rejoined.
///
/// The buffers are only valid during the callback that receives the line.
struct CRILogLine {
    /// The timestamp exactly as written in the line's first record.
    var timestampText: UnsafeBufferPointer<UInt8>
    var stream: LogStream
    /// The line as the container wrote it, without the newline.
    var content: UnsafeBufferPointer<UInt8>

    /// The parsed timestamp (nil if the file has a malformed one).
    var timestamp: LogTimestamp? { LogTimestamp.parse(timestampText) }
}

/// Reads CRI log records (`<time> <stream> <P|F>[:tags] <content>\n`) from bytes that arrive in
/// arbitrary chunks and hands on whole lines, joining `P` records with the `F` record that ends
/// them, as the kubelet's log reader does.
///
/// Records of the two streams are joined separately (a `P` of stdout is not ended by an `F` of
/// stderr). Records that are not CRI (no `stdout`/`stderr`, no `P`/`F` tag) are skipped.
struct CRILogDecoder {
    /// An incomplete record at the end of the bytes seen so far.
    private var carry: [UInt8] = []
    /// Per stream: the content of `P` records not yet ended, and the first record's timestamp.
    private var pendingContent: [LogStream: [UInt8]] = [:]
    private var pendingTimestamp: [LogStream: [UInt8]] = [:]

    /// True when a line's `P` records have been read but not its `F` record.
    var hasPendingLine: Bool { !pendingContent.isEmpty }

    /// Feeds `bytes`; calls `emit` for each line completed by them.
    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (CRILogLine) -> Void) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var start = 0
        if !carry.isEmpty {
            guard let found = memchr(base, 0x0A, bytes.count) else {
                carry.append(contentsOf: bytes)
                return
            }
            let end = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            carry.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<end]))
            let record = carry
            carry = []
            record.withUnsafeBufferPointer { handle(record: $0, emit) }
            start = end + 1
        }
        while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
            let end = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
            handle(record: UnsafeBufferPointer(rebasing: bytes[start..<end]), emit)
            start = end + 1
        }
        if start < bytes.count {
            carry.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }

    /// The end of what there is to read. When the file is complete, a last record without
    /// newline and `P` records never ended (a writer that died mid-line) are handed on as lines.
    /// When it may still grow (`complete: false`) they are dropped instead: they are a record
    /// or a long line being written right now, not something the container wrote that way.
    mutating func finish(complete: Bool = true, _ emit: (CRILogLine) -> Void) {
        guard complete else {
            reset()
            return
        }
        if !carry.isEmpty {
            let record = carry
            carry = []
            record.withUnsafeBufferPointer { handle(record: $0, emit) }
        }
        for stream in LogStream.allCases {
            guard let content = pendingContent.removeValue(forKey: stream),
                  let timestamp = pendingTimestamp.removeValue(forKey: stream) else { continue }
            content.withUnsafeBufferPointer { contentBuffer in
                timestamp.withUnsafeBufferPointer { timestampBuffer in
                    emit(CRILogLine(timestampText: timestampBuffer, stream: stream, content: contentBuffer))
                }
            }
        }
    }

    /// Drops an incomplete record and unfinished lines (the file was replaced under a follower).
    mutating func reset() {
        carry = []
        pendingContent = [:]
        pendingTimestamp = [:]
    }

    /// Parses one record (newline excluded).
    private mutating func handle(record: UnsafeBufferPointer<UInt8>, _ emit: (CRILogLine) -> Void) {
        guard let base = record.baseAddress else { return }
        func space(after index: Int) -> Int? {
            guard index < record.count, let found = memchr(base + index, 0x20, record.count - index) else { return nil }
            return UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
        }
        guard let timeEnd = space(after: 0), let streamEnd = space(after: timeEnd + 1) else { return }
        let tagEnd = space(after: streamEnd + 1) ?? record.count  // "F" with empty content may lack the space
        guard tagEnd > streamEnd + 1 else { return }
        let timestamp = UnsafeBufferPointer(rebasing: record[..<timeEnd])
        let streamBytes = UnsafeBufferPointer(rebasing: record[(timeEnd + 1)..<streamEnd])
        let stream: LogStream
        if streamBytes.elementsEqual("stdout".utf8) {
            stream = .stdout
        } else if streamBytes.elementsEqual("stderr".utf8) {
            stream = .stderr
        } else {
            return  // not a CRI record
        }
        // The tag is P or F, optionally followed by ":"-separated extra tags.
        let tag = record[streamEnd + 1]
        guard tag == UInt8(ascii: "P") || tag == UInt8(ascii: "F"),
              tagEnd == streamEnd + 2 || record[streamEnd + 2] == UInt8(ascii: ":") else { return }
        let isPartial = tag == UInt8(ascii: "P")
        let content = UnsafeBufferPointer(rebasing: record[min(tagEnd + 1, record.count)...])
        let key = stream
        if isPartial {
            if pendingContent[key] == nil {
                pendingContent[key] = []
                pendingTimestamp[key] = Array(timestamp)
            }
            pendingContent[key]!.append(contentsOf: content)
            return
        }
        if var joined = pendingContent.removeValue(forKey: key), let first = pendingTimestamp.removeValue(forKey: key) {
            joined.append(contentsOf: content)
            joined.withUnsafeBufferPointer { joinedBuffer in
                first.withUnsafeBufferPointer { firstBuffer in
                    emit(CRILogLine(timestampText: firstBuffer, stream: stream, content: joinedBuffer))
                }
            }
        } else {
            emit(CRILogLine(timestampText: timestamp, stream: stream, content: content))
        }
    }
}

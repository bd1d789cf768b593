import Foundation

/// Turns a `LogBatch` into output bytes: prefixed text lines or JSON Lines objects.
///
/// Works on bytes so the `podrun run` renderer does one pass and builds one buffer per batch;
/// the container's bytes are copied as they are (text) or escaped with invalid UTF-8 replaced by
/// U+FFFD (JSON, which must be UTF-8).
public enum LogLineFormatter {
    /// Appends every line of `batch`, each preceded by `prefix`, to `output`.
    public static func appendLines(of batch: LogBatch, prefix: [UInt8], to output: inout [UInt8]) {
        if prefix.isEmpty {
            output.append(contentsOf: batch.lines)
            return
        }
        output.reserveCapacity(output.count + batch.lines.count + 64 * prefix.count)
        batch.lines.withUnsafeBufferPointer { buffer in
            buffer.forEachLineRange { range in
                output.append(contentsOf: prefix)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[range.lowerBound...range.upperBound]))
            }
        }
    }

    /// Appends one JSON object per line of `batch`:
    /// `{"type":"Log","container":"web","restartCount":0,"stream":"stdout","time":"…","line":"…"}`,
    /// with `"partial":true` on the pieces of a line longer than `LogBatch.maximumLineLength`.
    /// `time` is RFC 3339 UTC with milliseconds, as in events.
    public static func appendJSONLines(of batch: LogBatch, to output: inout [UInt8]) {
        var head: [UInt8] = Array(#"{"type":"Log","container":"#.utf8)
        appendJSONString(Array(batch.container.utf8), to: &head)
        head.append(contentsOf: #","restartCount":"#.utf8)
        head.append(contentsOf: String(batch.restartCount).utf8)
        head.append(contentsOf: #","stream":""#.utf8)
        head.append(contentsOf: batch.stream.rawValue.utf8)
        head.append(contentsOf: #"","time":""#.utf8)
        LogTimestamp(batch.time).append(to: &head, fractionDigits: 3)
        head.append(contentsOf: #"","line":"#.utf8)
        let tail: [UInt8] = Array((batch.isFragment ? #","partial":true}"# : "}").utf8) + [0x0A]
        batch.lines.withUnsafeBufferPointer { buffer in
            buffer.forEachLineRange { range in
                output.append(contentsOf: head)
                appendJSONString(UnsafeBufferPointer(rebasing: buffer[range]), to: &output)
                output.append(contentsOf: tail)
            }
        }
    }

    /// Appends `bytes` as a JSON string literal (quotes included).
    public static func appendJSONString(_ bytes: [UInt8], to output: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { appendJSONString($0, to: &output) }
    }

    /// Appends `bytes` as a JSON string literal: `"` `\` and control characters escaped, valid
    /// UTF-8 copied, each byte of an invalid sequence replaced by U+FFFD.
    public static func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(0x22)
        var index = 0
        var runStart = 0  // bytes[runStart..<index] need no escaping
        func flushRun() {
            if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C {
                index += 1
                continue
            }
            if byte >= 0x80 {
                let length = validUTF8SequenceLength(bytes, at: index)
                if length > 0 {
                    index += length
                    continue
                }
                flushRun()
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                index += 1
                runStart = index
                continue
            }
            flushRun()
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
            index += 1
            runStart = index
        }
        flushRun()
        output.append(0x22)
    }

    /// The length of the well-formed UTF-8 sequence starting at `index` (Unicode table 3-7), or 0.
    static func validUTF8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return 0 }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            return 0
        }
        return length
    }
}

import Foundation
import Testing

@testable import PodRunKit

/// Timestamps, durations, JSON Lines and CRI decoding: the small formats logs are made of.
@Suite struct LogFormatTests {
    // MARK: Timestamps

    @Test(arguments: [
        (Int64(0), Int32(0), "1970-01-01T00:00:00.000000000Z", "1970-01-01T00:00:00.000Z"),
        (1_700_000_000, 123_456_789, "2023-11-14T22:13:20.123456789Z", "2023-11-14T22:13:20.123Z"),
        (1_709_208_000, 999_999_999, "2024-02-29T12:00:00.999999999Z", "2024-02-29T12:00:00.999Z"),
        (4_102_444_799, 1, "2099-12-31T23:59:59.000000001Z", "2099-12-31T23:59:59.000Z"),
        (951_782_400, 0, "2000-02-29T00:00:00.000000000Z", "2000-02-29T00:00:00.000Z"),
    ])
    func timestampFormats(_ seconds: Int64, _ nanoseconds: Int32, _ nano: String, _ milli: String) {
        let time = LogTimestamp(seconds: seconds, nanoseconds: nanoseconds)
        #expect(time.rfc3339Nano == nano)
        #expect(time.rfc3339Milli == milli)
        #expect(LogTimestamp.parse(Array(nano.utf8)) == time)
    }

    @Test func timestampsAgreeWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let seconds = Int64.random(in: 0...4_000_000_000, using: &generator)
            let text = LogTimestamp(seconds: seconds, nanoseconds: 0).rfc3339Nano
            #expect(formatter.string(from: Date(timeIntervalSince1970: Double(seconds))) == text.replacingOccurrences(of: ".000000000", with: ""))
        }
    }

    @Test(arguments: [
        ("2023-11-14T22:13:20Z", LogTimestamp(seconds: 1_700_000_000, nanoseconds: 0)),
        ("2023-11-14T22:13:20.5Z", LogTimestamp(seconds: 1_700_000_000, nanoseconds: 500_000_000)),
        ("2023-11-15T00:13:20.123+02:00", LogTimestamp(seconds: 1_700_000_000, nanoseconds: 123_000_000)),
        ("2023-11-14T21:13:20.000000001-01:00", LogTimestamp(seconds: 1_700_000_000, nanoseconds: 1)),
    ])
    func timestampsParseKubeletVariants(_ text: String, _ expected: LogTimestamp) {
        #expect(LogTimestamp.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: ["", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13:20.Z", "2023-13-14T22:13:20Z", "2023-11-14T22:13:20Zjunk"])
    func malformedTimestampsDoNotParse(_ text: String) {
        #expect(LogTimestamp.parse(Array(text.utf8)) == nil)
    }

    // MARK: Durations

    @Test(arguments: [
        ("10s", Duration.seconds(10)), ("5m", .seconds(300)), ("2h", .seconds(7200)), ("250ms", .milliseconds(250)),
        ("1h30m", .seconds(5400)), ("1.5s", .milliseconds(1500)), ("0", .zero), ("100us", .microseconds(100)), ("7ns", .nanoseconds(7)),
    ])
    func durations(_ text: String, _ expected: Duration) {
        #expect(DurationText.parse(text) == expected)
    }

    @Test(arguments: ["", "10", "s", "10x", "-5s", "5 m", "1.2.3s"])
    func badDurations(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    // MARK: JSON Lines

    @Test(arguments: [
        ([UInt8]("plain".utf8), #""plain""#),
        (Array(#"quote " and \ backslash"#.utf8), #""quote \" and \\ backslash""#),
        ([0x09, 0x0D, 0x01, 0x1F, 0x7F], #""\t\r\u0001\u001f\#u{7F}""#),
        (Array("héllo ✓ 🙂".utf8), "\"héllo ✓ 🙂\""),
        ([0x61, 0xFF, 0x62], "\"a\u{FFFD}b\""),
        ([0xC3, 0x28], "\"\u{FFFD}(\""),
        ([0xED, 0xA0, 0x80], "\"\u{FFFD}\u{FFFD}\u{FFFD}\""),  // a UTF-16 surrogate is not UTF-8
        ([0xF0, 0x9F, 0x99], "\"\u{FFFD}\u{FFFD}\u{FFFD}\""),  // truncated 4-byte sequence
    ])
    func jsonStrings(_ bytes: [UInt8], _ expected: String) {
        var output: [UInt8] = []
        LogLineFormatter.appendJSONString(bytes, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
        #expect(Array(String(decoding: output, as: UTF8.self).utf8) == output, "always valid UTF-8 (decoding repairs nothing)")
    }

    @Test func jsonLinesHaveOneObjectPerLine() throws {
        let batch = LogBatch(container: "web", restartCount: 2, stream: .stderr, time: Date(timeIntervalSince1970: 1_700_000_000.25),
                             lines: Array("first\n{\"not\": \"json\"}\n".utf8) + [0xFF, 0x0A])
        var output: [UInt8] = []
        LogLineFormatter.appendJSONLines(of: batch, to: &output)
        let objects = try String(decoding: output, as: UTF8.self).split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(objects.count == 3)
        #expect(objects.map { $0["line"] as? String } == ["first", #"{"not": "json"}"#, "\u{FFFD}"])
        for object in objects {
            #expect(object["type"] as? String == "Log")
            #expect(object["container"] as? String == "web")
            #expect(object["restartCount"] as? Int == 2)
            #expect(object["stream"] as? String == "stderr")
            #expect(object["time"] as? String == "2023-11-14T22:13:20.250Z")
            #expect(object["partial"] == nil)
        }
    }

    @Test func prefixedTextLines() {
        let batch = LogBatch(container: "a", restartCount: 0, stream: .stdout, time: Date(), lines: Array("x\n\ny\n".utf8))
        var output: [UInt8] = []
        LogLineFormatter.appendLines(of: batch, prefix: Array("a | ".utf8), to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "a | x\na | \na | y\n")
        #expect(batch.lineCount == 3)
        #expect(batch.decodedLines == ["x", "", "y"])
    }

    // MARK: CRI decoding

    @Test func decoderJoinsPartialRecordsPerStreamWhateverTheChunking() {
        let file = Array("""
            2023-11-14T22:13:20.000000001Z stdout P out-
            2023-11-14T22:13:20.000000002Z stderr F err whole
            2023-11-14T22:13:20.000000003Z stdout F joined
            garbage without fields
            2023-11-14T22:13:20.000000004Z stdout F
            2023-11-14T22:13:20.000000005Z stderr F:extra tags ok
            2023-11-14T22:13:20.000000006Z stdout F last without newline
            """.utf8)
        func decode(chunk: Int) -> [String] {
            var decoder = CRILogDecoder()
            var lines: [String] = []
            let emit: (CRILogLine) -> Void = { line in
                lines.append("\(line.stream.rawValue) \(String(decoding: line.timestampText, as: UTF8.self).suffix(4)) \(String(decoding: line.content, as: UTF8.self))")
            }
            var offset = 0
            while offset < file.count {
                let end = min(file.count, offset + chunk)
                file.withUnsafeBufferPointer { decoder.feed(UnsafeBufferPointer(rebasing: $0[offset..<end]), emit) }
                offset = end
            }
            decoder.finish(emit)
            return lines
        }
        let expected = ["stderr 002Z err whole", "stdout 001Z out-joined", "stdout 004Z ", "stderr 005Z tags ok", "stdout 006Z last without newline"]
        for chunk in [1, 2, 7, 64, 4096] {
            #expect(decode(chunk: chunk) == expected, "chunk \(chunk)")
        }
    }

    // MARK: Layout

    @Test(arguments: [
        (nil as String?, ["XDG_STATE_HOME": "/x/state", "HOME": "/home/u"], "/x/state/podrun"),
        (nil, ["XDG_STATE_HOME": "relative", "HOME": "/home/u"], "/home/u/.local/state/podrun"),
        (nil, ["HOME": "/home/u"], "/home/u/.local/state/podrun"),
        ("/explicit", ["XDG_STATE_HOME": "/x/state"], "/explicit"),
    ])
    func stateRoot(_ explicit: String?, _ environment: [String: String], _ expected: String) {
        #expect(PodRunDirectoryLayout.stateRoot(explicit: explicit, environment: environment).path == expected)
    }

    @Test func layoutPaths() {
        let layout = PodRunDirectoryLayout(stateRoot: URL(fileURLWithPath: "/s"), pod: "web")
        #expect(layout.runDirectory.path == "/s/pods/web")
        #expect(layout.logFile(container: "app", restartCount: 3).path == "/s/pods/web/logs/app/3.log")
        #expect(layout.logFile(container: "app", restartCount: 3, generation: 2).path == "/s/pods/web/logs/app/3.log.2")
        #expect(layout.statusFile.path == "/s/pods/web/status.json")
        #expect(layout.lockFile.path == "/s/pods/web/lock")
    }

    @Test func rotationSizesParseAsQuantities() {
        #expect(LogRotation(maxSize: "10Mi")?.maxFileSize == 10 << 20)
        #expect(LogRotation(maxSize: "512Ki")?.maxFileSize == 512 << 10)
        #expect(LogRotation(maxSize: "1000")?.maxFileSize == 1000)
        #expect(LogRotation(maxSize: "lots") == nil)
        #expect(LogRotation().maxFileSize == 10 << 20)
        #expect(LogRotation().rotatedFilesKept == 2)
    }
}

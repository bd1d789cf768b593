import Foundation
import Testing

@testable import PodRunKit

@Suite struct LineFramerTests {
    static let time = LogTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)
    static let stamp = "2023-11-14T22:13:20.123456789Z"

    struct Framed {
        var file: [UInt8] = []
        var deliveries: [LineFramer.Delivery] = []
        var delivered: [UInt8] { deliveries.flatMap(\.bytes) }
        var records: [(tag: String, content: [UInt8])] {
            var result: [(String, [UInt8])] = []
            var start = 0
            for (index, byte) in file.enumerated() where byte == 0x0A {
                let record = Array(file[start..<index])
                start = index + 1
                // "<stamp> stdout F content"
                let header = Self.stampLength + 1 + 6 + 1
                result.append((String(decoding: record[header..<header + 1], as: UTF8.self), Array(record[(header + 2)...])))
            }
            return result
        }
        static let stampLength = LineFramerTests.stamp.utf8.count
    }

    /// Frames `input` cut into chunks of `chunkSizes` (cycled), then finishes the stream.
    static func frame(_ input: [UInt8], chunkSizes: [Int], fragmentLimit: Int = LogBatch.maximumLineLength, finish: Bool = true) -> Framed {
        var framer = LineFramer(stream: .stdout, fragmentLimit: fragmentLimit)
        var framed = Framed()
        var offset = 0
        var index = 0
        while offset < input.count {
            let size = min(chunkSizes[index % chunkSizes.count], input.count - offset)
            index += 1
            input.withUnsafeBufferPointer { buffer in
                framed.deliveries += framer.consume(UnsafeBufferPointer(rebasing: buffer[offset..<offset + size]), time: time, file: &framed.file)
            }
            offset += size
        }
        if finish { framed.deliveries += framer.finish(time: time, file: &framed.file) }
        return framed
    }

    @Test func shortLinesAreOneFinalRecordEach() {
        let framed = Self.frame(Array("hello\n\nworld\n".utf8), chunkSizes: [64 * 1024])
        #expect(String(decoding: framed.file, as: UTF8.self) == """
            \(Self.stamp) stdout F hello
            \(Self.stamp) stdout F 
            \(Self.stamp) stdout F world

            """)
        #expect(framed.deliveries.count == 1)
        #expect(framed.delivered == Array("hello\n\nworld\n".utf8))
    }

    struct LongLineCase: Sendable, CustomStringConvertible {
        let length: Int
        let tags: [String]
        let lastLength: Int
        var description: String { "\(length) bytes" }
    }

    @Test(arguments: [
        LongLineCase(length: 0, tags: ["F"], lastLength: 0),
        LongLineCase(length: 16383, tags: ["F"], lastLength: 16383),
        LongLineCase(length: 16384, tags: ["F"], lastLength: 16384),
        LongLineCase(length: 16385, tags: ["P", "F"], lastLength: 1),
        LongLineCase(length: 32768, tags: ["P", "F"], lastLength: 16384),
        LongLineCase(length: 40000, tags: ["P", "P", "F"], lastLength: 40000 - 32768),
    ])
    func longLinesBecomePartialRecordsWhateverTheChunking(_ c: LongLineCase) {
        let line = (0..<c.length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        let input = line + [0x0A]
        for chunks in [[64 * 1024], [1], [7], [16384], [16385, 3], [1000, 20000]] {
            let framed = Self.frame(input, chunkSizes: chunks)
            let records = framed.records
            #expect(records.map(\.tag) == c.tags, "chunks \(chunks)")
            #expect(records.last?.content.count == c.lastLength, "chunks \(chunks)")
            #expect(records.dropLast().allSatisfy { $0.content.count == LineFramer.recordLimit })
            #expect(records.flatMap(\.content) == line)
            #expect(framed.delivered == input, "subscribers get the line whole")
            #expect(framed.deliveries.allSatisfy { !$0.isFragment })
        }
    }

    @Test func chunkBoundariesDoNotChangeTheResult() {
        var input: [UInt8] = []
        for length in [0, 1, 5, 100, 16384, 16385, 20000, 3, 0, 50000, 2] {
            input += (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) | 0x20 } + [0x0A]
        }
        input += Array("no newline at the end".utf8)
        let reference = Self.frame(input, chunkSizes: [input.count])
        for chunks in [[1], [2, 3], [4095], [65536], [16383, 1, 16385]] {
            let framed = Self.frame(input, chunkSizes: chunks)
            #expect(framed.file == reference.file, "chunks \(chunks)")
            #expect(framed.delivered == reference.delivered, "chunks \(chunks)")
        }
        #expect(reference.delivered == input + [0x0A], "the last line gets its newline at the end of the stream")
    }

    @Test func unterminatedLastLineIsKeptAtTheEnd() {
        let unfinished = Self.frame(Array("one\ntwo".utf8), chunkSizes: [3], finish: false)
        #expect(unfinished.delivered == Array("one\n".utf8), "nothing of `two` before the stream ends")
        let finished = Self.frame(Array("one\ntwo".utf8), chunkSizes: [3])
        #expect(finished.delivered == Array("one\ntwo\n".utf8))
        #expect(finished.records.map { String(decoding: $0.content, as: UTF8.self) } == ["one", "two"])
        #expect(finished.records.map(\.tag) == ["F", "F"])
    }

    @Test func endingWithoutAnUnfinishedLineAddsNothing() {
        let framed = Self.frame(Array("a\n".utf8), chunkSizes: [1])
        #expect(framed.records.count == 1)
        #expect(framed.delivered == Array("a\n".utf8))
    }

    @Test func linesBeyondTheFragmentLimitReachSubscribersInPieces() {
        let limit = 2 * LineFramer.recordLimit
        let line = (0..<100_000).map { UInt8(ascii: "A") + UInt8($0 % 26) }
        let framed = Self.frame(line + Array("\nnext\n".utf8), chunkSizes: [7000], fragmentLimit: limit)
        let fragments = framed.deliveries.filter(\.isFragment)
        #expect(fragments.count >= 2)
        #expect(fragments.allSatisfy { $0.bytes.count == limit + 1 && $0.bytes.last == 0x0A })
        #expect(!framed.deliveries.last!.isFragment)
        // Without the newline each piece got, the pieces are the line, followed by the next line.
        let rejoined = fragments.flatMap { $0.bytes.dropLast() } + framed.deliveries.last!.bytes
        #expect(rejoined == line + Array("\nnext\n".utf8))
        // The file has the whole line as P records of 16 KiB and an F, whatever subscribers got.
        #expect(framed.records.dropLast().flatMap(\.content) == line)
        #expect(framed.records.dropLast(2).allSatisfy { $0.tag == "P" && $0.content.count == LineFramer.recordLimit })
    }

    @Test func bytesThatAreNotUTF8AreKeptAsTheyAre() {
        let garbage = (0...255).map(UInt8.init).filter { $0 != 0x0A }
        let framed = Self.frame(garbage + [0x0A] + [0xFF, 0xFE], chunkSizes: [100])
        #expect(framed.records.map(\.content) == [garbage, [0xFF, 0xFE]])
        #expect(framed.delivered == garbage + [0x0A, 0xFF, 0xFE, 0x0A])
    }
}

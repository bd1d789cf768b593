import Foundation
import Testing
@testable import PodRunKit

@Suite("TextPosition: byte offsets to line:column, and the nesting pre-scan")
struct TextPositionTests {
    static func at(_ line: Int, _ column: Int) -> PodRunKit.SourceLocation { PodRunKit.SourceLocation(file: "f", line: line, column: column) }

    @Test("UTF-8 offsets become 1-based lines and columns counted in characters")
    func offsets() {
        let text = "ab\nçd€\n😀x"
        #expect(TextPosition.location(ofUTF8Offset: 0, in: text, file: "f") == Self.at(1, 1))
        #expect(TextPosition.location(ofUTF8Offset: 2, in: text, file: "f") == Self.at(1, 3))
        #expect(TextPosition.location(ofUTF8Offset: 3, in: text, file: "f") == Self.at(2, 1))
        // "ç" is 2 bytes and "d" comes after it: column 2.
        #expect(TextPosition.location(ofUTF8Offset: 5, in: text, file: "f") == Self.at(2, 2))
        #expect(TextPosition.location(ofUTF8Offset: 14, in: text, file: "f") == Self.at(3, 2))
        #expect(TextPosition.endLocation(of: text, file: "f") == Self.at(3, 3))
    }

    @Test("the first byte that is not UTF-8 is placed by line and column")
    func invalidUTF8() {
        #expect(TextPosition.firstInvalidUTF8(in: Data([0x61, 0x0A, 0x62, 0xFF]), file: "f") == Self.at(2, 2))
        #expect(TextPosition.firstInvalidUTF8(in: Data([0xC3, 0xA7, 0xC3]), file: "f") == Self.at(1, 2))
        #expect(TextPosition.firstInvalidUTF8(in: Data([0xED, 0xA0, 0x80]), file: "f") == Self.at(1, 1))
    }

    @Test("the character and the token at a place")
    func characterAndToken() {
        let text = "a: *anchor, x\n\tb: [*y]\n"
        #expect(TextPosition.character(at: Self.at(1, 4), in: text) == "*")
        #expect(TextPosition.character(at: Self.at(2, 1), in: text) == "\t")
        #expect(TextPosition.character(at: Self.at(1, 40), in: text) == nil)
        #expect(TextPosition.token(at: Self.at(1, 4), in: text) == "*anchor")
        #expect(TextPosition.token(at: Self.at(2, 6), in: text) == "*y")
        #expect(TextPosition.token(at: Self.at(1, 3), in: text) == nil)
    }

    @Test("a repeated key is found at the column of its first occurrence, within the same object")
    func repeatedKey() {
        let text = "a:\n  kind: 1\n  b: 2\n  # comment\n\n  kind: 3\nkind: 4\n"
        #expect(TextPosition.repetition(ofKey: "kind", after: Self.at(2, 3), in: text, file: "f") == Self.at(6, 3))
        // The object ends at a line left of the key's column: no repetition beyond it.
        #expect(TextPosition.repetition(ofKey: "b", after: Self.at(3, 3), in: text, file: "f") == nil)
        #expect(TextPosition.repetition(ofKey: "kind", after: Self.at(1, 12), in: "x: {kind: 1, kind: 2}\n", file: "f") == nil)
    }

    @Test(
        "nesting levels: block collections by indentation and compact indicators, flow collections by brackets",
        arguments: [
            ("a:\n  b:\n    c: 1\n", 3, nil), ("a:\n  b:\n    c: 1\n", 2, "3:5"),
            ("- - - x\n", 3, nil), ("- - - x\n", 2, "1:5"),
            ("a:\n- b:\n  - c\n", 4, nil), ("a:\n- b:\n  - c\n", 3, "3:3"),
            ("[[[x]]]", 3, nil), ("[[[x]]]", 2, "1:3"),
            ("a: {b: [c]}\n", 3, nil), ("a: {b: [c]}\n", 2, "1:8"),
            ("a: \"[[[[\"\nb: '{{{{'\n# [[[[\nc: |\n  [[[[\n  {{{{\nd: x[[[[\n", 1, nil),
            ("a: |\n  - - - -\n  b:\n    c:\n", 1, nil),
        ] as [(String, Int, String?)])
    func nesting(text: String, limit: Int, position: String?) {
        let location = TextPosition.excessiveNesting(in: text, limit: limit, file: "f")
        #expect(location.map { "\($0.line):\($0.column)" } == position)
    }
}

import Foundation
import Testing
@testable import PodRunKit

@Suite("AliasExpansion: counting what aliases expand to before Yams expands them")
struct AliasExpansionTests {
    static func outcome(_ text: String, limit: Int) -> String {
        switch AliasExpansion.check(text, limit: limit) {
        case .withinLimit: "within"
        case .exceeded(let alias, let line, let column): "*\(alias) at \(line):\(column)"
        case .syntaxError: "syntax error"
        }
    }

    @Test("text without anchors is not parsed a second time")
    func noAnchors() {
        #expect(Self.outcome("a: *x\nb: [*y, *z]", limit: 0) == "within")
        #expect(AliasExpansion.neutralized("a: b") == nil)
    }

    @Test("the count is exact: each alias adds the values of the node its anchor names, nested aliases included")
    func exactCount() {
        // a: 3 values (list, 1, 2); b: list + 2 × 3 = 7; the aliases add 3 + 3 + 7 = 13.
        let text = "a: &a [1, 2]\nb: &b [*a, *a]\nc: *b\n"
        #expect(Self.outcome(text, limit: 13) == "within")
        #expect(Self.outcome(text, limit: 12) == "*b at 3:4")
        #expect(Self.outcome(text, limit: 5) == "*a at 2:12")
    }

    @Test("a later anchor of the same name replaces the earlier one, from where it is defined")
    func redefinedAnchor() {
        let text = "a: &x [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: *x\nc: &x 1\nd: *x\ne: *x\n"
        // 10 + 1 + 1
        #expect(Self.outcome(text, limit: 12) == "within")
        #expect(Self.outcome(text, limit: 11) == "*x at 5:4")
    }

    @Test("aliases in keys and merge keys count like any other")
    func keysAndMerges() {
        #expect(Self.outcome("a: &a [1, 2]\n? *a\n: x\n", limit: 2) == "*a at 2:3")
        #expect(Self.outcome("a: &a {k: v}\nb: {<<: *a}\n", limit: 2) == "*a at 2:9")
    }

    @Test("a syntax error is reported as such, for the loader to locate")
    func syntaxError() {
        #expect(Self.outcome("a: &a [1\nb: *a\n", limit: 100) == "syntax error")
    }

    @Test("neutralizing keeps lines and columns: every *name, wherever it is, becomes one character and the name")
    func neutralized() throws {
        // Inside quotes, comments and plain scalars too: changing their text is harmless, missing an alias is not.
        let text = "a: &x [1]\nb: [*x, \"*x\"]  # *x\nc: 2*x, 2*.5, **\n"
        let neutral = try #require(AliasExpansion.neutralized(text))
        #expect(neutral == text.replacingOccurrences(of: "*x", with: AliasExpansion.marker + "x"))
        #expect(neutral.unicodeScalars.count == text.unicodeScalars.count)
        #expect(neutral.hasSuffix("2*.5, **\n"))
    }
}

import Testing
@testable import PodRunKit

@Suite("SpellingSuggestion: \"did you mean\" for misspelt fields")
struct SpellingSuggestionTests {
    static let containerFields = ["name", "image", "command", "args", "workingDir", "env", "ports", "volumeMounts", "livenessProbe", "readinessProbe"]

    @Test(
        "near misses find the field; unrelated words find nothing",
        arguments: [
            ("comand", "command"), ("commnad", "command"), ("Command", "command"), ("COMMAND", "command"), ("prots", "ports"),
            ("volumeMount", "volumeMounts"), ("livenesProbe", "livenessProbe"), ("workdir", nil), ("nmae", "name"), ("xyz", nil),
            ("e", nil), ("readiness", nil),
        ] as [(String, String?)])
    func closest(word: String, suggestion: String?) {
        #expect(SpellingSuggestion.closest(to: word, among: Self.containerFields) == suggestion)
    }

    @Test(
        "edit distance counts a swapped pair as one edit",
        arguments: [("", "", 0), ("", "abc", 3), ("abc", "", 3), ("abc", "abc", 0), ("abc", "abd", 1), ("abc", "acb", 1), ("kitten", "sitting", 3)])
    func editDistance(a: String, b: String, distance: Int) {
        #expect(SpellingSuggestion.editDistance(a, b) == distance)
        #expect(SpellingSuggestion.editDistance(b, a) == distance)
    }
}

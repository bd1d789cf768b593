/// "Did you mean" for misspelled field names (`comand` → `command`).
enum SpellingSuggestion {
    /// The candidate closest to `word`, if it is close enough to be a plausible typo:
    /// at most a third of the word's length in edits (and at least one), or the same
    /// word in another case.
    static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = candidate.lowercased() == lowered ? 0 : editDistance(lowered, candidate.lowercased())
            if distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        guard let best else { return nil }
        let allowed = max(1, word.count / 3)
        return best.distance <= allowed ? best.candidate : nil
    }

    /// Damerau–Levenshtein distance (optimal string alignment), so a swapped pair of letters
    /// (`commnad`) counts as one edit, the way people mistype.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = Swift.min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}

import Yams

/// Refuses "billion laughs" documents before they are composed for real.
///
/// Yams resolves an alias by sharing the anchored node, which is cheap, but it hashes every
/// mapping key in full to find duplicate keys, and the reader walks the lists it is given: a key
/// or a list built from a few levels of aliases stands for billions of values, and neither would
/// finish. So a document that has anchors is first composed with every alias turned into a plain
/// scalar (`*name` becomes `\u{E000}name`, on the same line and column), which keeps the tree no
/// larger than the text, and that tree is walked in document order, registering each anchor when
/// its node is complete as Yams does. That gives exactly how many values each alias stands for.
enum AliasExpansion {
    enum Outcome {
        case withinLimit
        /// The alias at which the total crossed the limit.
        case exceeded(alias: String, line: Int, column: Int)
        /// The text does not parse; the error is the one the real parse would report.
        case syntaxError(any Error)
    }

    /// Stands for `*` in the neutralized text: one character, so columns stay the same, and
    /// not a YAML indicator, so the alias reads as a plain scalar.
    static let marker = "\u{E000}"

    /// Whether the aliases of `text` add at most `limit` values to it in all.
    static func check(_ text: String, limit: Int) -> Outcome {
        // Without an anchor there is nothing an alias could expand to.
        guard text.utf8.contains(UInt8(ascii: "&")), let neutral = neutralized(text) else { return .withinLimit }
        do {
            let parser = try Parser(yaml: neutral)
            var walker = Walker(limit: limit)
            // The parser keeps the anchors alive (nodes hold them weakly) while the tree is walked.
            return try withExtendedLifetime(parser) {
                while let root = try parser.nextRoot() {
                    walker.walk(root)
                    if let exceeded = walker.exceeded {
                        return .exceeded(alias: exceeded.alias, line: exceeded.line, column: exceeded.column)
                    }
                }
                return .withinLimit
            }
        } catch {
            return .syntaxError(error)
        }
    }

    /// libyaml's anchor characters.
    private static func isAnchorCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// `text` with every `*` that could start an alias replaced by the marker; nil when there is
    /// none. Replacing also inside quotes, comments and plain scalars only changes their text,
    /// while missing an alias would let it through, so no attempt is made to tell them apart.
    static func neutralized(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var replaced = false
        result.reserveCapacity(bytes.count + 64)
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "*"), index + 1 < bytes.count, isAnchorCharacter(bytes[index + 1]) {
                result += marker.utf8
                replaced = true
            } else {
                result.append(byte)
            }
        }
        return replaced ? String(decoding: result, as: UTF8.self) : nil
    }

    /// Counts values as Yams would expand them: one per node, and for an alias the count of
    /// the node its anchor names.
    private struct Walker {
        let limit: Int
        /// Values per anchor name, registered when the anchored node is complete; a later
        /// anchor of the same name replaces an earlier one.
        var sizes: [String: Int] = [:]
        /// Values added by aliases so far.
        var added = 0
        var exceeded: (alias: String, line: Int, column: Int)?

        init(limit: Int) { self.limit = limit }

        mutating func walk(_ node: Node) { _ = size(of: node) }

        /// The expanded size of `node`; stops counting once the limit is crossed.
        private mutating func size(of node: Node) -> Int {
            guard exceeded == nil else { return 0 }
            var total = 1
            let anchor: Anchor?
            switch node {
            case .scalar(let scalar):
                if scalar.style == .plain, scalar.string.hasPrefix(AliasExpansion.marker) {
                    let name = String(decoding: scalar.string.dropFirst().utf8.prefix(while: AliasExpansion.isAnchorCharacter), as: UTF8.self)
                    // An unknown name is an undefined alias, which the real parse reports.
                    let size = sizes[name] ?? 1
                    added = added > limit - size ? limit + 1 : added + size
                    if added > limit { exceeded = (name, scalar.mark?.line ?? 1, scalar.mark?.column ?? 1) }
                    return size
                }
                anchor = scalar.anchor
            case .mapping(let mapping):
                for (key, value) in mapping {
                    total = saturatingSum(total, size(of: key), size(of: value))
                }
                anchor = mapping.anchor
            case .sequence(let sequence):
                for item in sequence {
                    total = saturatingSum(total, size(of: item))
                }
                anchor = sequence.anchor
            case .alias:
                // Yams resolves aliases while composing; a left-over one stands for nothing known.
                return 1
            }
            if let anchor { sizes[anchor.rawValue] = total }
            return total
        }

        private func saturatingSum(_ values: Int...) -> Int {
            var sum = 0
            for value in values {
                let (result, overflow) = sum.addingReportingOverflow(value)
                sum = overflow ? Int.max : result
            }
            return sum
        }
    }
}

import Foundation

/// Converts byte offsets reported by parsers into the line:column users see in an editor.
enum TextPosition {
    static func location(ofUTF8Offset offset: Int, in text: String, file: String) -> SourceLocation {
        var line = 1
        var column = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    static func endLocation(of text: String, file: String) -> SourceLocation {
        location(ofUTF8Offset: text.utf8.count, in: text, file: file)
    }

    /// Where the first byte that is not valid UTF-8 sits.
    static func firstInvalidUTF8(in data: Data, file: String) -> SourceLocation {
        let bytes = [UInt8](data)
        var index = 0
        var line = 1
        var column = 1
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return SourceLocation(file: file, line: line, column: column)
            }
            guard index + length <= bytes.count, bytes[index + 1 ..< index + length].allSatisfy({ $0 & 0xC0 == 0x80 }),
                String(bytes: bytes[index ..< index + length], encoding: .utf8) != nil
            else {
                return SourceLocation(file: file, line: line, column: column)
            }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += length
        }
        return SourceLocation(file: file, line: line, column: column)
    }

    /// The place where nesting first exceeds `limit` levels, if it does: flow collections
    /// (`[`, `{`) plus block levels (each deeper indentation, and each `- `, `? ` or `: ` that
    /// opens a compact collection on a line, as in `- - - x`). A cheap approximation of YAML's
    /// tokens (quotes, comments and block scalars are skipped) that runs before the recursive
    /// parser; libyaml's own nesting limit backs it up.
    static func excessiveNesting(in text: String, limit: Int, file: String) -> SourceLocation? {
        let bytes = Array(text.utf8)
        let count = bytes.count
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        func isBlank(_ index: Int) -> Bool {
            index >= count || bytes[index] == space || bytes[index] == tab || bytes[index] == newline || bytes[index] == carriageReturn
        }
        var line = 1
        var lineStart = 0
        func location(_ index: Int) -> SourceLocation {
            let column = bytes[lineStart..<index].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
            return SourceLocation(file: file, line: line, column: column)
        }
        var depth = 0
        /// Open block collections: their column, and whether a sequence (`- ` entries) or a mapping.
        var levels: [(column: Int, sequence: Bool)] = []
        /// Whether the rest of the line from `start` holds a mapping key (`key: …` or `key:`).
        func hasKey(from start: Int) -> Bool {
            var index = start
            if index < count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let open = bytes[index]
                index += 1
                while index < count, bytes[index] != open, bytes[index] != newline { index += 1 }
            }
            while index < count, bytes[index] != newline {
                if bytes[index] == UInt8(ascii: "#"), isBlank(index - 1) { return false }
                if bytes[index] == UInt8(ascii: ":"), isBlank(index + 1) { return true }
                index += 1
            }
            return false
        }
        func isFlowStart(_ index: Int) -> Bool {
            index < count && (bytes[index] == UInt8(ascii: "[") || bytes[index] == UInt8(ascii: "{"))
        }
        var quote: UInt8?
        /// While a block scalar's lines are skipped: the column they must be indented beyond.
        var blockScalarParent: Int?
        var index = 0
        while index < count {
            lineStart = index
            var indicatorColumn = 0
            var contentColumn = 0
            if quote == nil {
                while index < count, bytes[index] == space { index += 1 }
                let indent = index - lineStart
                let empty = isBlank(index) && (index >= count || bytes[index] != tab)
                if let parent = blockScalarParent, empty || indent > parent {
                    while index < count, bytes[index] != newline { index += 1 }
                    index += 1
                    line += 1
                    continue
                }
                blockScalarParent = nil
                if empty || bytes[index] == UInt8(ascii: "#") || (indent == 0 && bytes[index] == UInt8(ascii: "%")) {
                    while index < count, bytes[index] != newline { index += 1 }
                    index += 1
                    line += 1
                    continue
                }
                if depth == 0 {
                    // The line's own level: a sequence entry, or (for anything else) a mapping.
                    let entry = bytes[index] == UInt8(ascii: "-") && isBlank(index + 1)
                    while let last = levels.last, last.column > indent { levels.removeLast() }
                    if let last = levels.last, last.column == indent {
                        if last.sequence, !entry {
                            // A key at the column of a sequence that was its sibling's value: back to that mapping.
                            levels.removeLast()
                            if levels.last?.column != indent { levels.append((indent, false)) }
                        } else if !last.sequence, entry {
                            // A sequence may be the value of the key above it at the same column.
                            levels.append((indent, true))
                        }
                    } else if !isFlowStart(index) {
                        levels.append((indent, entry))
                    }
                    if levels.count > limit { return location(index) }
                    indicatorColumn = indent
                    // Compact collections on one line: `- - x`, `- key: value`, `? ? x`.
                    var indicators = 0
                    while index < count, [UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":")].contains(bytes[index]), isBlank(index + 1) {
                        if indicators > 0 {
                            levels.append((index - lineStart, true))
                            if levels.count > limit { return location(index) }
                        }
                        indicators += 1
                        indicatorColumn = index - lineStart
                        index += 1
                        while index < count, bytes[index] == space || bytes[index] == tab { index += 1 }
                    }
                    if indicators > 0, !isBlank(index), bytes[index] != UInt8(ascii: "#"), !isFlowStart(index), hasKey(from: index) {
                        levels.append((index - lineStart, false))
                        if levels.count > limit { return location(index) }
                    }
                    contentColumn = index - lineStart
                }
            }
            var plain = false
            while index < count, bytes[index] != newline {
                let byte = bytes[index]
                if let open = quote {
                    if open == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if byte == open {
                        if open == UInt8(ascii: "'"), index + 1 < count, bytes[index + 1] == open {
                            index += 2
                            continue
                        }
                        quote = nil
                    }
                    index += 1
                    continue
                }
                let afterBlank = index == lineStart || isBlank(index - 1)
                if plain {
                    // A plain scalar runs to ": ", " #", the end of the line, or in a flow collection its punctuation.
                    if byte == UInt8(ascii: ":"), isBlank(index + 1) {
                        plain = false
                    } else if byte == UInt8(ascii: "#"), afterBlank {
                        break
                    } else if depth > 0, [UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}")].contains(byte) {
                        plain = false
                        continue
                    }
                    index += 1
                    continue
                }
                switch byte {
                case space, tab, carriageReturn, UInt8(ascii: ","):
                    break
                case UInt8(ascii: "#") where afterBlank:
                    while index < count, bytes[index] != newline { index += 1 }
                    continue
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    quote = byte
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    if depth + levels.count > limit { return location(index) }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth = max(0, depth - 1)
                case UInt8(ascii: "-") where isBlank(index + 1), UInt8(ascii: "?") where isBlank(index + 1),
                    UInt8(ascii: ":") where isBlank(index + 1):
                    break
                case UInt8(ascii: "|") where depth == 0, UInt8(ascii: ">") where depth == 0:
                    // A block scalar: its lines are text, indented beyond the entry that holds it.
                    blockScalarParent = index - lineStart == contentColumn ? indicatorColumn : contentColumn
                    while index < count, bytes[index] != newline { index += 1 }
                    continue
                case UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"):
                    while !isBlank(index + 1), ![UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(bytes[index + 1]) {
                        index += 1
                    }
                default:
                    plain = true
                }
                index += 1
            }
            index += 1
            line += 1
        }
        return nil
    }
}

extension TextPosition {
    /// The character at `location` (1-based line and column, counted in Unicode scalars as
    /// libyaml does), if there is one.
    static func character(at location: SourceLocation, in text: String) -> Character? {
        var line = 1
        var column = 1
        for scalar in text.unicodeScalars {
            if line == location.line, column == location.column { return Character(scalar) }
            if scalar == "\n" {
                if line == location.line { return nil }
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return nil
    }

    /// The word (up to a blank or YAML punctuation) that starts at `location`, if any.
    static func token(at location: SourceLocation, in text: String) -> String? {
        var line = 1
        var column = 1
        var token = ""
        for scalar in text.unicodeScalars {
            if line == location.line, column >= location.column {
                if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || ",[]{}".unicodeScalars.contains(scalar) { break }
                token.unicodeScalars.append(scalar)
            } else if line > location.line {
                break
            }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return token.isEmpty ? nil : token
    }

    /// Where `key` appears again as a key at the column of its first occurrence `first`, in a
    /// later line: `key:`, `"key":` or `'key':` (block YAML and JSON laid out one key per line).
    static func repetition(ofKey key: String, after first: SourceLocation, in text: String, file: String) -> SourceLocation? {
        let forms = ["\(key):", "\"\(key)\":", "\"\(key)\" :", "'\(key)':", "\(key) :"]
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard lineNumber > first.line else { continue }
            let scalars = line.unicodeScalars
            let content = scalars.drop(while: { $0 == " " })
            if content.isEmpty || content.first == "#" || content.first == "\r" { continue }
            // A line that starts left of the key's column ends the object the key is in.
            guard scalars.distance(from: scalars.startIndex, to: content.startIndex) >= first.column - 1 else { return nil }
            let rest = String(scalars[scalars.index(scalars.startIndex, offsetBy: first.column - 1)...])
            if forms.contains(where: { rest.hasPrefix($0) }) {
                return SourceLocation(file: file, line: lineNumber, column: first.column)
            }
        }
        return nil
    }
}

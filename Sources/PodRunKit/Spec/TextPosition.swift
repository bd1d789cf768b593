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

    /// The place where flow nesting (`[` and `{`, outside quotes) or block indentation first
    /// exceeds `limit` levels, if it does. A cheap scan that runs before the recursive parser.
    static func excessiveNesting(in text: String, limit: Int, file: String) -> SourceLocation? {
        var depth = 0
        var quote: UInt8?
        var escaped = false
        var line = 1
        var column = 0
        var atLineStart = true
        var indentation = 0
        var indentStack: [Int] = []
        var inComment = false
        for byte in text.utf8 {
            column += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 0
                atLineStart = true
                indentation = 0
                inComment = false
                continue
            }
            if inComment { continue }
            if atLineStart {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") {
                    indentation += 1
                    continue
                }
                atLineStart = false
                if quote == nil, depth == 0, byte != UInt8(ascii: "#") {
                    while let last = indentStack.last, last >= indentation { indentStack.removeLast() }
                    indentStack.append(indentation)
                    if indentStack.count > limit {
                        return SourceLocation(file: file, line: line, column: column)
                    }
                }
            }
            if let open = quote {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\"), open == UInt8(ascii: "\"") {
                    escaped = true
                } else if byte == open {
                    quote = nil
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
            case UInt8(ascii: "#"): inComment = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth + indentStack.count > limit {
                    return SourceLocation(file: file, line: line, column: column)
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }
}

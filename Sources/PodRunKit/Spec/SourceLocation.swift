/// A place in a pod description, so every problem can be reported where the user can fix it.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The path as the user named it (`-` for standard input).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`, the form editors and terminals turn into links.
    public var description: String { "\(file):\(line):\(column)" }
}

/// A place in a pod description, so every problem can be reported where the user can fix it.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The path as the user named it (`-` for standard input).
    public var file: String
    /// 1-based line; 0 when the problem has no place in the text.
    public var line: Int
    /// 1-based column.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`, the form editors and terminals turn into links; just `FILE` for a
    /// problem with no place in the text (line 0: the file could not be read).
    public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}

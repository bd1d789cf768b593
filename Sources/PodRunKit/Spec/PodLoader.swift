import Foundation
import Yams

/// The outcome of loading one pod description: the pod when it is usable, and every problem.
public struct PodLoadResult: Sendable {
    /// The file as the user named it (`-` for standard input).
    public var file: String
    /// The pod with Kubernetes' defaults applied; nil when there are errors.
    public var pod: Pod?
    public var diagnostics: [Diagnostic]
    /// Where each field stands in the file, by field path, for messages about the pod later on.
    public var locations: [String: SourceLocation]

    /// The location of `path`, or of its nearest enclosing field that has one.
    public func location(of path: String) -> SourceLocation {
        var candidate = path
        while !candidate.isEmpty {
            if let location = locations[candidate] { return location }
            candidate = FieldPath.parent(of: candidate)
        }
        return SourceLocation(file: file, line: 1, column: 1)
    }
}

/// Loads pod descriptions from YAML or JSON files.
public enum PodLoader {
    /// Larger files are not pod descriptions; refusing them keeps a stray `podrun validate /dev/zero` bounded.
    static let maximumSize = 8 << 20
    /// Deeper nesting than any pod needs; refusing it keeps the parser's recursion bounded.
    static let maximumNesting = 128
    /// How many values YAML aliases may add to a document in all. A pod that shares a few
    /// settings through anchors adds hundreds; a "billion laughs" document adds billions.
    static let maximumAliasExpansion = 1_000_000

    /// Reads and checks the file at `path` (`-` reads standard input).
    public static func load(path: String) -> PodLoadResult {
        let data: Data
        do {
            if path == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return failure(file: path, "is a directory, not a pod description")
                }
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            let exists = FileManager.default.fileExists(atPath: path)
            return failure(file: path, exists ? "cannot read the file: \(reason)" : "no such file")
        }
        return load(data: data, file: path)
    }

    /// Checks a pod description held in memory; `file` names it in diagnostics.
    public static func load(data: Data, file: String) -> PodLoadResult {
        guard data.count <= maximumSize else {
            return failure(
                file: file, at: SourceLocation(file: file, line: 1, column: 1),
                "the file is \(data.count) bytes; a pod description is at most \(maximumSize) bytes (8 MiB)")
        }
        // UTF-16 with a byte order mark, as some Windows editors save it; YAML allows it and
        // Kubernetes' decoder reads it.
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]), let text = String(data: data, encoding: .utf16) {
            return load(text: text, file: file)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let location = TextPosition.firstInvalidUTF8(in: data, file: file)
            return PodLoadResult(
                file: file, pod: nil,
                diagnostics: [Diagnostic(.error, at: location, path: "", "not UTF-8 text (binary data?); a pod description is YAML or JSON")],
                locations: [:])
        }
        return load(text: text, file: file)
    }

    /// Checks a pod description given as text; `file` names it in diagnostics.
    public static func load(text: String, file: String) -> PodLoadResult {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard body.contains(where: { !$0.isWhitespace }) else {
            return failure(file: file, at: start, "the file is empty; expected a v1 Pod in YAML or JSON")
        }
        if let nesting = TextPosition.excessiveNesting(in: body, limit: maximumNesting, file: file) {
            return PodLoadResult(
                file: file, pod: nil,
                diagnostics: [Diagnostic(.error, at: nesting, path: "", "nested more than \(maximumNesting) levels deep; this is not a pod description")],
                locations: [:])
        }
        if looksLikeJSON(body), let syntaxError = jsonSyntaxError(in: body, file: file) {
            return PodLoadResult(file: file, pod: nil, diagnostics: [syntaxError], locations: [:])
        }
        switch AliasExpansion.check(body, limit: maximumAliasExpansion) {
        case .withinLimit:
            break
        case .exceeded(let alias, let line, let column):
            let location = SourceLocation(file: file, line: line, column: column)
            return PodLoadResult(
                file: file, pod: nil,
                diagnostics: [
                    Diagnostic(
                        .error, at: location, path: "",
                        "aliases (here *\(alias)) expand this document to more than \(maximumAliasExpansion) values, far more than a pod needs (a \"billion laughs\" document?)",
                        fix: "write the values out, or use fewer levels of aliases")
                ],
                locations: [:])
        case .syntaxError(let error):
            return PodLoadResult(file: file, pod: nil, diagnostics: [yamlDiagnostic(for: error, file: file, text: body)], locations: [:])
        }
        let root: Node
        do {
            var documents = try Yams.compose_all(yaml: body)
            var nodes: [Node] = []
            while let node = documents.next() {
                nodes.append(node)
            }
            if let error = documents.error { throw error }
            nodes.removeAll { if case .scalar(let scalar) = $0 { scalar.string.isEmpty } else { false } }
            guard let first = nodes.first else {
                return failure(file: file, at: start, "the file holds no document; expected a v1 Pod in YAML or JSON")
            }
            if nodes.count > 1 {
                let context = SpecReadingContext(file: file)
                return PodLoadResult(
                    file: file, pod: nil,
                    diagnostics: [
                        Diagnostic(
                            .error, at: context.location(of: nodes[1]), path: "",
                            "the file holds \(nodes.count) documents; podrun runs one Pod per file",
                            fix: "put the Pod in a file of its own")
                    ],
                    locations: [:])
            }
            root = first
        } catch {
            return PodLoadResult(file: file, pod: nil, diagnostics: [yamlDiagnostic(for: error, file: file, text: body)], locations: [:])
        }
        let context = SpecReadingContext(file: file)
        let pod = PodReader.read(SpecNode(node: root, path: "", context: context))
        var diagnostics = context.diagnostics
        if let pod {
            diagnostics += PodValidator(
                pod: pod, file: file, locations: context.locations, reported: Set(context.diagnostics.map(\.path))
            ).validate()
        }
        if let ignored = ignoredFieldsWarning(context.ignoredFields) {
            diagnostics.append(ignored)
        }
        // File order; problems at the same place keep the order they were found in.
        diagnostics = diagnostics.enumerated()
            .sorted { ($0.element.location.line, $0.element.location.column, $0.offset) < ($1.element.location.line, $1.element.location.column, $1.offset) }
            .map(\.element)
        return PodLoadResult(file: file, pod: diagnostics.hasErrors ? nil : pod, diagnostics: diagnostics, locations: context.locations)
    }

    /// A problem with the file as a whole: at 1:1 when it concerns its content, without a line
    /// (line 0) when the file could not be read at all.
    private static func failure(file: String, at location: SourceLocation? = nil, _ message: String) -> PodLoadResult {
        PodLoadResult(
            file: file, pod: nil,
            diagnostics: [Diagnostic(.error, at: location ?? SourceLocation(file: file, line: 0, column: 0), path: "", message)],
            locations: [:])
    }

    /// One warning for all ignored fields, so a real manifest loads with a single, complete note.
    private static func ignoredFieldsWarning(_ unordered: [(path: String, location: SourceLocation)]) -> Diagnostic? {
        let fields = unordered.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
        guard let first = fields.first else { return nil }
        let list = fields.map { "\($0.path) (line \($0.location.line))" }.joined(separator: ", ")
        return Diagnostic(
            .warning, at: first.location, path: "",
            "podrun accepts but does not act on \(fields.count == 1 ? "this Kubernetes field" : "these Kubernetes fields"): \(list)")
    }

    /// JSON is decided by content, not by the file's extension.
    static func looksLikeJSON(_ text: String) -> Bool {
        guard let first = text.first(where: { !$0.isWhitespace }) else { return false }
        return first == "{" || first == "["
    }

    /// libyaml accepts some malformed JSON (`{"a": }`), so JSON gets a real JSON parser first.
    private static func jsonSyntaxError(in text: String, file: String) -> Diagnostic? {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [])
            return nil
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            // Valid JSON with a number Swift cannot hold (1e999): not a syntax error. The YAML
            // reader reports it at its field, with the field's own expectation.
            if detail.contains("not representable") { return nil }
            var location = SourceLocation(file: file, line: 1, column: 1)
            if let range = detail.range(of: #"character (\d+)"#, options: .regularExpression),
                let offset = Int(detail[range].dropFirst("character ".count))
            {
                location = TextPosition.location(ofUTF8Offset: offset, in: text, file: file)
            } else if detail.localizedCaseInsensitiveContains("end of file") {
                location = TextPosition.endLocation(of: text, file: file)
            }
            let message = detail.replacingOccurrences(of: #" around (line \d+, column \d+|character \d+)\.?"#, with: "", options: .regularExpression)
            return Diagnostic(.error, at: location, path: "", "invalid JSON: \(message.trimmingCharacters(in: CharacterSet(charactersIn: ". ")))")
        }
    }

    static func yamlDiagnostic(for error: any Error, file: String, text: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        guard let yamlError = error as? YamlError else {
            return Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), path: "", "invalid YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if problem.hasPrefix("Maximum nesting level reached") {
                // libyaml's own limit, for nesting the cheap scan before parsing did not see.
                return Diagnostic(.error, at: at(mark), path: "", "nested too deeply; this is not a pod description")
            }
            if problem == "found character that cannot start any token", TextPosition.character(at: at(mark), in: text) == "\t" {
                return Diagnostic(
                    .error, at: at(mark), path: "", "invalid YAML: a tab cannot indent YAML or start a value",
                    fix: "use spaces for indentation")
            }
            if problem == "found undefined alias", let alias = TextPosition.token(at: at(mark), in: text), alias.hasPrefix("*") {
                return Diagnostic(
                    .error, at: at(mark), path: "", "invalid YAML: alias \(alias) names no anchor defined before it",
                    fix: "define &\(alias.dropFirst()) on an earlier value, or write the value out")
            }
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Diagnostic(.error, at: at(mark), path: "", "invalid YAML: \(problem.replacingOccurrences(of: AliasExpansion.marker, with: "*"))\(while_)")
        case .reader(let problem, let offset, _, let yaml):
            let location = offset.map { TextPosition.location(ofUTF8Offset: $0, in: yaml, file: file) } ?? SourceLocation(file: file, line: 1, column: 1)
            return Diagnostic(.error, at: location, path: "", "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first key's first occurrence; point at its repetition when it can
            // be found (a block or JSON object with the key at the same column).
            let keys = duplicates.map { "\"\($0.replacingOccurrences(of: AliasExpansion.marker, with: "*"))\"" }
            let first = at(context.mark)
            if let key = duplicates.first, let repeated = TextPosition.repetition(ofKey: key, after: first, in: text, file: file) {
                return Diagnostic(
                    .error, at: repeated, path: "",
                    "duplicate key \(keys.joined(separator: ", ")) in one object (first at line \(first.line))",
                    fix: "keep one of them")
            }
            return Diagnostic(
                .error, at: first, path: "", "key \(keys.joined(separator: ", ")) appears more than once in one object (first here)",
                fix: "keep one of them")
        default:
            return Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), path: "", "invalid YAML: \(yamlError)")
        }
    }
}

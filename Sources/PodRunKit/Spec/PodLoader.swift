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
            return failure(file: file, "the file is \(data.count) bytes; a pod description is at most \(maximumSize) bytes")
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
        guard body.contains(where: { !$0.isWhitespace }) else {
            return failure(file: file, "the file is empty; expected a v1 Pod in YAML or JSON")
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
                return failure(file: file, "the file holds no document; expected a v1 Pod in YAML or JSON")
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
            return PodLoadResult(file: file, pod: nil, diagnostics: [yamlDiagnostic(for: error, file: file)], locations: [:])
        }
        let context = SpecReadingContext(file: file)
        let pod = PodReader.read(SpecNode(node: root, path: "", context: context))
        var diagnostics = context.diagnostics
        if let pod {
            diagnostics += PodValidator(pod: pod, file: file, locations: context.locations).validate()
        }
        if let ignored = ignoredFieldsWarning(context.ignoredFields) {
            diagnostics.append(ignored)
        }
        diagnostics.sort { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
        return PodLoadResult(file: file, pod: diagnostics.hasErrors ? nil : pod, diagnostics: diagnostics, locations: context.locations)
    }

    private static func failure(file: String, _ message: String) -> PodLoadResult {
        PodLoadResult(
            file: file, pod: nil, diagnostics: [Diagnostic(.error, at: SourceLocation(file: file, line: 0, column: 0), path: "", message)],
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

    private static func yamlDiagnostic(for error: any Error, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        guard let yamlError = error as? YamlError else {
            return Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), path: "", "invalid YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return Diagnostic(.error, at: at(mark), path: "", "invalid YAML: \(problem)\(while_)")
        case .reader(let problem, let offset, _, let yaml):
            let location = offset.map { TextPosition.location(ofUTF8Offset: $0, in: yaml, file: file) } ?? SourceLocation(file: file, line: 1, column: 1)
            return Diagnostic(.error, at: location, path: "", "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return Diagnostic(
                .error, at: at(context.mark), path: "", "duplicate key \(keys) in the object starting here",
                fix: "keep one of them")
        default:
            return Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), path: "", "invalid YAML: \(yamlError)")
        }
    }
}

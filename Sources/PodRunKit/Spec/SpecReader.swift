import Foundation
import Yams

/// What the loader learns while walking one document: every problem, and where each field is.
///
/// A class so the many small `SpecNode` and `SpecObject` values that walk the tree can all
/// report into it; it lives only for one load, on one thread.
final class SpecReadingContext {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// The location of every field that was read, by field path, so later stages (validation,
    /// the runtime) can point at the spot in the file.
    private(set) var locations: [String: SourceLocation] = [:]
    /// Kubernetes fields podrun accepts but does not act on, reported together in one warning.
    private(set) var ignoredFields: [(path: String, location: SourceLocation)] = []

    init(file: String) { self.file = file }

    func location(of node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func report(_ severity: Diagnostic.Severity, at location: SourceLocation, path: String, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(severity, at: location, path: path, message, fix: fix))
    }

    func record(_ path: String, at location: SourceLocation) { locations[path] = location }

    func recordIgnored(_ path: String, at location: SourceLocation) { ignoredFields.append((path, location)) }
}

/// One value in the document, with its field path, read with the strictness of Kubernetes'
/// decoder (a quoted number is not an integer, `yes` is not a string) but reporting every
/// mismatch instead of stopping at the first.
struct SpecNode {
    let node: Node
    let path: String
    let context: SpecReadingContext

    init(node: Node, path: String, context: SpecReadingContext) {
        self.node = node
        self.path = path
        self.context = context
        context.record(path, at: context.location(of: node))
    }

    var location: SourceLocation { context.location(of: node) }

    func error(_ message: String, fix: String? = nil) {
        context.report(.error, at: location, path: path, message, fix: fix)
    }

    func warning(_ message: String, fix: String? = nil) {
        context.report(.warning, at: location, path: path, message, fix: fix)
    }

    /// The YAML 1.1 type of the node, as Kubernetes' YAML decoder resolves it.
    private var kind: String {
        switch node {
        case .mapping: return "an object"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch resolvedTag(of: scalar) {
            case .int: return "a number"
            case .float: return "a number"
            case .bool: return "a boolean"
            case .null: return "null"
            default: return "a string"
            }
        }
    }

    private func resolvedTag(of scalar: Node.Scalar) -> Tag.Name {
        if scalar.style != .plain { return .str }
        return Resolver.default.resolveTag(of: node)
    }

    private func typeMismatch(expected: String, fix: String? = nil) {
        error("expected \(expected), found \(kind)", fix: fix)
    }

    /// A string; a plain scalar that YAML reads as a number or boolean is rejected, as
    /// Kubernetes does, with the quoted form as the fix.
    func string() -> String? {
        guard case .scalar(let scalar) = node else {
            typeMismatch(expected: "a string")
            return nil
        }
        switch resolvedTag(of: scalar) {
        case .int, .float, .bool:
            typeMismatch(expected: "a string", fix: "quote it: \"\(scalar.string)\"")
            return nil
        case .null:
            // `~` or `null` in a list or map: Kubernetes decodes null into a string as "".
            return ""
        default:
            return scalar.string
        }
    }

    /// A whole number within `range`, reported with the field's own limits when outside them.
    func integer(in range: ClosedRange<Int64>, rangeDescription: String? = nil) -> Int64? {
        guard case .scalar(let scalar) = node, resolvedTag(of: scalar) == .int || resolvedTag(of: scalar) == .float else {
            if case .scalar(let scalar) = node, scalar.style != .plain, Int64(scalar.string) != nil {
                typeMismatch(expected: "a number", fix: "remove the quotes: \(scalar.string)")
            } else {
                typeMismatch(expected: "a whole number")
            }
            return nil
        }
        let text = scalar.string.replacingOccurrences(of: "_", with: "")
        guard resolvedTag(of: scalar) == .int else {
            error("expected a whole number, found \(scalar.string)")
            return nil
        }
        let value: Int64?
        if text.hasPrefix("0x") || text.hasPrefix("-0x") || text.hasPrefix("+0x") {
            value = Int64(text.replacingOccurrences(of: "0x", with: ""), radix: 16)
        } else if text.count > 1, text.hasPrefix("0"), !text.hasPrefix("0o"), text.allSatisfy(\.isNumber) {
            value = Int64(text, radix: 8)
        } else if text.hasPrefix("0o") {
            value = Int64(text.dropFirst(2), radix: 8)
        } else if text.hasPrefix("0b") {
            value = Int64(text.dropFirst(2), radix: 2)
        } else {
            value = Int64(text)
        }
        guard let value, range.contains(value) else {
            error("\(scalar.string) is out of range: must be \(rangeDescription ?? Self.describe(range))")
            return nil
        }
        return value
    }

    private static func describe(_ range: ClosedRange<Int64>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (_, Int64(Int32.max)) where range.lowerBound > Int64(Int32.min): "at least \(range.lowerBound)"
        case (_, Int64.max): "at least \(range.lowerBound)"
        default: "between \(range.lowerBound) and \(range.upperBound)"
        }
    }

    func int32(atLeast minimum: Int32 = Int32.min, atMost maximum: Int32 = Int32.max, rangeDescription: String? = nil) -> Int32? {
        integer(in: Int64(minimum)...Int64(maximum), rangeDescription: rangeDescription).map { Int32($0) }
    }

    func int64(atLeast minimum: Int64 = Int64.min) -> Int64? {
        integer(in: minimum...Int64.max)
    }

    func bool() -> Bool? {
        guard case .scalar(let scalar) = node, resolvedTag(of: scalar) == .bool, let value = node.bool else {
            typeMismatch(expected: "true or false")
            return nil
        }
        return value
    }

    /// A string that must be one of `cases`, with a suggestion for near misses. `emptyMeans` is
    /// the value Kubernetes' defaulting gives an empty string (`restartPolicy: ""` is `Always`).
    func enumeration<E: RawRepresentable & CaseIterable>(_ type: E.Type, emptyMeans: E? = nil) -> E? where E.RawValue == String {
        guard let text = string() else { return nil }
        if let value = E(rawValue: text) { return value }
        if text.isEmpty, let emptyMeans { return emptyMeans }
        let allowed = E.allCases.map(\.rawValue)
        let suggestion = SpellingSuggestion.closest(to: text, among: allowed)
        error(
            "unsupported value \"\(text)\"",
            fix: suggestion.map { "did you mean \"\($0)\"?" } ?? "use one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
        return nil
    }

    /// A list whose elements are read by `element`, every one checked even after a failure.
    /// An element that fails (its problem already reported) is left out, or replaced by
    /// `placeholder` where later stages name elements by index: then `containers[2]` in the
    /// model is still `containers[2]` in the file.
    func list<T>(placeholder: T? = nil, _ element: (SpecNode) -> T?) -> [T]? {
        guard case .sequence(let sequence) = node else {
            if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
                typeMismatch(expected: "a list", fix: "write it as a list, e.g. [\"\(scalar.string)\"]")
            } else {
                typeMismatch(expected: "a list")
            }
            return nil
        }
        var values: [T] = []
        for (index, item) in sequence.enumerated() {
            if let value = element(SpecNode(node: item, path: "\(path)[\(index)]", context: context)) ?? placeholder {
                values.append(value)
            }
        }
        return values
    }

    func stringList() -> [String]? { list { $0.string() } }

    /// A map of string to string (labels, annotations).
    func stringMap() -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            typeMismatch(expected: "a map of strings")
            return nil
        }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            guard let keyText = key.string else { continue }
            if let text = SpecNode(node: value, path: "\(path)[\(keyText)]", context: context).string() {
                result[keyText] = text
            }
        }
        return result
    }

    /// An object with a fixed set of fields; `read` pulls out the fields it knows, and every
    /// other key is then reported as unknown (with a suggestion) or as an ignored Kubernetes field.
    func object<T>(fields: Set<String>, ignored: Set<String> = [], _ read: (inout SpecObject) -> T?) -> T? {
        guard case .mapping(let mapping) = node else {
            typeMismatch(expected: "an object")
            return nil
        }
        var object = SpecObject(mapping: mapping, node: self, fields: fields, ignored: ignored)
        let value = read(&object)
        object.reportUnreadKeys()
        return value
    }
}

/// The fields of one object being read.
struct SpecObject {
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    let node: SpecNode
    private let fields: Set<String>
    private let ignored: Set<String>
    private var read: Set<String> = []

    init(mapping: Node.Mapping, node: SpecNode, fields: Set<String>, ignored: Set<String>) {
        self.node = node
        self.fields = fields
        self.ignored = ignored
        pairs = SpecObject.expandingMergeKeys(mapping)
    }

    /// YAML merge keys (`<<: *defaults`), which Kubernetes' YAML decoder honours: the
    /// object's own keys win over merged ones.
    private static func expandingMergeKeys(_ mapping: Node.Mapping) -> [(key: String, keyNode: Node, value: Node)] {
        var own: [(key: String, keyNode: Node, value: Node)] = []
        var merged: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in mapping {
            let text = key.string ?? ""
            if text == "<<", case .scalar(let scalar) = key, scalar.style == .plain {
                let sources: [Node]
                switch value {
                case .mapping: sources = [value]
                case .sequence(let sequence): sources = Array(sequence)
                default: sources = []
                }
                for case .mapping(let source) in sources {
                    merged += expandingMergeKeys(source)
                }
            } else {
                own.append((text, key, value))
            }
        }
        let ownKeys = Set(own.map(\.key))
        return own + merged.filter { !ownKeys.contains($0.key) }
    }

    var path: String { node.path }
    var location: SourceLocation { node.location }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool {
        pairs.contains { $0.key == key && !$0.value.isNull }
    }

    /// The field's value, or nil when it is absent or null (Kubernetes treats both alike).
    mutating func field(_ key: String) -> SpecNode? {
        precondition(fields.contains(key), "\(key) is not declared as a field of \(path)")
        read.insert(key)
        guard let pair = pairs.first(where: { $0.key == key }), !pair.value.isNull else { return nil }
        return SpecNode(node: pair.value, path: childPath(key), context: node.context)
    }

    /// Whether an undeclared key is a plausible misspelling of `key` (`comand` for `command`):
    /// its "unknown field … did you mean" error then says all there is to say about `key`.
    func hasMisspelling(of key: String) -> Bool {
        pairs.contains { pair in
            !fields.contains(pair.key) && !ignored.contains(pair.key)
                && SpellingSuggestion.closest(to: pair.key, among: fields.union(ignored)) == key
        }
    }

    /// The field's value; its absence is reported as an error naming the field, unless a
    /// misspelling of it is reported instead (one mistake, one diagnostic).
    mutating func required(_ key: String, fix: String? = nil) -> SpecNode? {
        guard let value = field(key) else {
            if hasMisspelling(of: key) { return nil }
            if let pair = pairs.first(where: { $0.key == key }) {
                // Written without a value (`spec:` followed by nothing): point at the key.
                node.context.report(
                    .error, at: node.context.location(of: pair.keyNode), path: childPath(key), "required field has no value", fix: fix)
            } else {
                node.context.report(.error, at: location, path: childPath(key), "required field is missing", fix: fix)
            }
            return nil
        }
        return value
    }

    /// A field podrun knows but cannot honour: present means an error explaining why.
    mutating func reject(_ key: String, _ message: String, fix: String? = nil) {
        guard let value = field(key) else { return }
        value.error(message, fix: fix)
    }

    /// Reports the keys nobody read: Kubernetes fields podrun ignores (collected for one
    /// warning), or unknown fields (errors, with a "did you mean" for near misses).
    fileprivate func reportUnreadKeys() {
        for pair in pairs where !read.contains(pair.key) {
            let keyLocation = node.context.location(of: pair.keyNode)
            let keyPath = childPath(pair.key)
            if ignored.contains(pair.key) {
                node.context.recordIgnored(keyPath, at: keyLocation)
                continue
            }
            let suggestion = SpellingSuggestion.closest(to: pair.key, among: fields.union(ignored))
            node.context.report(
                .error, at: keyLocation, path: keyPath, "unknown field \"\(pair.key)\"",
                fix: suggestion.map { "did you mean \"\($0)\"?" })
        }
    }
}

extension Node {
    fileprivate var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return false }
        return Resolver.default.resolveTag(of: self) == .null
    }
}

import Foundation
@testable import PodRunKit

/// Helpers shared by the Spec suites: loading YAML written in the test, and reading fixtures.
enum Spec {
    /// The name diagnostics carry for text loaded in a test.
    static let file = "pod.yaml"

    static func load(_ text: String, file: String = Spec.file) -> PodLoadResult {
        PodLoader.load(text: text, file: file)
    }

    /// Every diagnostic as printed: `FILE:LINE:COLUMN: SEVERITY: PATH: MESSAGE; FIX`.
    static func printed(_ text: String) -> [String] {
        load(text).diagnostics.map(\.description)
    }

    /// A valid pod whose only container is `main`; `containerFields` are added to it, indented
    /// like its other fields (4 spaces), and `specFields` to the spec (2 spaces).
    ///
    ///     1 apiVersion: v1
    ///     2 kind: Pod
    ///     3 metadata:
    ///     4   name: demo
    ///     5 spec:
    ///     6   containers:
    ///     7   - name: main
    ///     8     command: ["/bin/true"]
    ///     9     …containerFields (first line is line 9)
    ///       …specFields
    static func pod(container containerFields: String = "", spec specFields: String = "") -> String {
        var text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: demo
            spec:
              containers:
              - name: main
                command: ["/bin/true"]

            """
        text += indented(containerFields, by: 4)
        text += indented(specFields, by: 2)
        return text
    }

    static func indented(_ block: String, by spaces: Int) -> String {
        guard !block.isEmpty else { return "" }
        let pad = String(repeating: " ", count: spaces)
        return block.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n") + "\n"
    }

    /// The text of `Fixtures/<path>` from the test bundle.
    static func fixture(_ path: String) throws -> String {
        let url = try fixtureURL(path)
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func fixtureURL(_ path: String) throws -> URL {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else {
            throw FixtureError.missing(path)
        }
        let url = root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw FixtureError.missing(path) }
        return url
    }

    /// The file names in `Fixtures/<directory>`, sorted.
    static func fixtures(in directory: String) -> [String] {
        guard let url = try? fixtureURL(directory),
            let names = try? FileManager.default.contentsOfDirectory(atPath: url.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
    }

    enum FixtureError: Error { case missing(String) }
}

import Foundation
import Testing
@testable import PodRunKit

@Suite("Diagnostic: the FILE:LINE:COLUMN: SEVERITY: PATH: MESSAGE; FIX format")
struct DiagnosticTests {
    static let place = SourceLocation(file: "pods/web.yaml", line: 12, column: 7)

    @Test(
        "description joins location, severity, field path, message and fix",
        arguments: [
            (
                Diagnostic(.error, at: place, path: "spec.containers[1].readinessProbe.successThreshold", "must be 1", fix: "remove it"),
                "pods/web.yaml:12:7: error: spec.containers[1].readinessProbe.successThreshold: must be 1; remove it"
            ),
            (
                Diagnostic(.warning, at: place, path: "spec.nodeSelector", "ignored"),
                "pods/web.yaml:12:7: warning: spec.nodeSelector: ignored"
            ),
            (Diagnostic(.error, at: place, path: "", "invalid YAML: oops"), "pods/web.yaml:12:7: error: invalid YAML: oops"),
            (Diagnostic(.error, at: place, path: "", "the file is empty", fix: "write a pod"), "pods/web.yaml:12:7: error: the file is empty; write a pod"),
            (
                Diagnostic(.error, at: SourceLocation(file: "gone.yaml", line: 0, column: 0), path: "", "no such file"),
                "gone.yaml: error: no such file"
            ),
        ])
    func description(diagnostic: Diagnostic, printed: String) {
        #expect(diagnostic.description == printed)
        #expect("\(diagnostic)" == printed)
    }

    @Test("text is the part after the severity")
    func text() {
        #expect(Diagnostic(.error, at: Self.place, path: "metadata.name", "must not be empty", fix: "name it").text == "metadata.name: must not be empty; name it")
        #expect(Diagnostic(.warning, at: Self.place, path: "", "note").text == "note")
    }

    @Test("a source location prints as FILE:LINE:COLUMN, or FILE alone when it has no line")
    func sourceLocation() {
        #expect(SourceLocation(file: "-", line: 3, column: 14).description == "-:3:14")
        #expect(SourceLocation(file: "a b.yaml", line: 1, column: 1).description == "a b.yaml:1:1")
        #expect(SourceLocation(file: "x.yaml", line: 0, column: 0).description == "x.yaml")
    }

    @Test("the loader's diagnostics keep their parts apart: severity, location, path, message, fix")
    func parts() throws {
        let result = Spec.load(Spec.pod(container: "livenessProbe:\n  exec: {command: [x]}\n  successThreshold: 2\nresources: {}"))
        #expect(result.diagnostics.count == 2)
        let error = try #require(result.diagnostics.first)
        #expect(error.severity == .error)
        #expect(error.location == SourceLocation(file: Spec.file, line: 11, column: 25))
        #expect(error.path == "spec.containers[0].livenessProbe.successThreshold")
        #expect(error.message == "must be 1 for a livenessProbe, found 2")
        #expect(error.fix == "remove it or set successThreshold: 1")
        let warning = try #require(result.diagnostics.last)
        #expect(warning.severity == .warning)
        #expect(warning.path == "")
        #expect(warning.fix == nil)
        #expect(warning.message == "podrun accepts but does not act on this Kubernetes field: spec.containers[0].resources (line 12)")
        #expect(result.diagnostics.errors == [error])
        #expect(result.diagnostics.warnings == [warning])
        #expect(result.diagnostics.hasErrors)
        #expect(![warning].hasErrors)
    }

    @Test("diagnostics come in file order, whatever stage found them")
    func fileOrder() {
        // The validator (duplicate name, line 7) runs after the reader (unknown field, line 12).
        let diagnostics = Spec.load(Spec.pod(spec: "initContainers:\n- name: main\n  command: [x]\n  bogus: 1")).diagnostics
        let positions = diagnostics.map { [$0.location.line, $0.location.column] }
        #expect(positions == positions.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
        #expect(diagnostics.map(\.path) == ["spec.containers[0].name", "spec.initContainers[0].bogus"])
    }

    @Test("severities encode as \"error\" and \"warning\", and a diagnostic round-trips through JSON")
    func codable() throws {
        let diagnostic = Diagnostic(.warning, at: Self.place, path: "spec", "note", fix: "fix")
        let json = String(decoding: try JSONEncoder().encode(diagnostic), as: UTF8.self)
        #expect(json.contains(#""severity":"warning""#))
        #expect(try JSONDecoder().decode(Diagnostic.self, from: Data(json.utf8)) == diagnostic)
        #expect(Diagnostic.Severity.error.rawValue == "error")
    }
}

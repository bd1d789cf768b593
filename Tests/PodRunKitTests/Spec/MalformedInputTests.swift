import Foundation
import Testing
@testable import PodRunKit

/// A small deterministic generator (SplitMix64), so "random" inputs are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Malformed input: never a crash, always a located error")
struct MalformedInputTests {
    /// Loads `data` and checks the invariant every input must keep: either a pod and no error,
    /// or no pod and at least one error, every error placed inside the text (line ≥ 1, column ≥ 1).
    @discardableResult
    static func loadChecked(_ data: Data, file: String = "bad.yaml") -> PodLoadResult {
        let result = PodLoader.load(data: data, file: file)
        #expect((result.pod == nil) == result.diagnostics.hasErrors)
        for diagnostic in result.diagnostics {
            #expect(diagnostic.location.file == file)
            #expect(diagnostic.location.line >= 1 && diagnostic.location.column >= 1, "unlocated: \(diagnostic)")
        }
        return result
    }

    @discardableResult
    static func loadChecked(_ text: String, file: String = "bad.yaml") -> PodLoadResult {
        loadChecked(Data(text.utf8), file: file)
    }

    static func printed(_ text: String, file: String = "bad.yaml") -> [String] {
        loadChecked(text, file: file).diagnostics.map(\.description)
    }

    // MARK: Truncation

    @Test("every truncation of a YAML pod loads or gives located errors")
    func truncatedYAML() throws {
        let text = try Spec.fixture("pods/complete.yaml")
        let bytes = Array(text.utf8)
        // Until the first container has its command the pod cannot load; after that, a cut
        // can leave a smaller valid pod.
        let firstCommand = try #require(text.range(of: "command: [\"/bin/web\"]\n")).upperBound.utf16Offset(in: text)
        for end in stride(from: 0, to: bytes.count, by: 5) {
            let result = Self.loadChecked(Data(bytes[..<end]))
            if end < firstCommand { #expect(result.pod == nil) }
        }
    }

    @Test("a YAML pod cut inside a flow list: the syntax error points at the end")
    func truncatedYAMLFlow() {
        #expect(Self.printed("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    command: [x, \"y") == [
            "bad.yaml:8:20: error: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 8, column 18)"
        ])
        #expect(Self.printed("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    command: [x\n") == [
            "bad.yaml:9:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 8, column 14)"
        ])
    }

    @Test("every truncation of a JSON pod is one located JSON syntax error")
    func truncatedJSON() throws {
        let text = try Spec.fixture("pods/complete.json")
        let bytes = Array(text.utf8)
        for end in stride(from: 1, to: bytes.count - 2, by: 7) {
            let result = Self.loadChecked(Data(bytes[..<end]), file: "pod.json")
            #expect(result.diagnostics.count == 1)
            #expect(result.diagnostics.first?.message.hasPrefix("invalid JSON: ") == true)
        }
    }

    @Test("JSON syntax errors are placed where the parser stopped")
    func jsonSyntax() {
        #expect(Self.printed(#"{"apiVersion": "v1", "kind": }"#, file: "p.json") == [#"p.json:1:30: error: invalid JSON: Invalid value"#])
        #expect(Self.printed("{\n  \"apiVersion\": \"v1\"\n  \"kind\": \"Pod\"\n}", file: "p.json") == [
            "p.json:3:3: error: invalid JSON: Invalid value"
        ])
        #expect(Self.printed(#"{"kind": "Pod""#, file: "p.json") == ["p.json:1:15: error: invalid JSON: Unexpected end of file during JSON parse"])
    }

    // MARK: Nesting

    @Test(
        "deep nesting is refused before parsing, at the first level too deep",
        arguments: [
            ("[", String(repeating: "[", count: 100_000), "1:129"),
            ("{\"a\":", String(repeating: "{\"a\":", count: 100_000), "1:641"),
            ("flow in YAML", "spec: " + String(repeating: "[", count: 100_000), "1:134"),
            ("compact sequences", String(repeating: "- ", count: 100_000) + "x", "1:257"),
            ("explicit keys", String(repeating: "? ", count: 100_000) + "x", "1:257"),
            ("block mappings", (0..<200).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n"), "129:129"),
            // Two levels a line: the mapping {a: …} and the sequence that is the value of its key.
            ("block sequences", (0..<200).map { String(repeating: " ", count: $0 * 2) + "- a:" }.joined(separator: "\n"), "65:129"),
        ])
    func deepNesting(kind: String, text: String, position: String) {
        #expect(Self.printed(text) == ["bad.yaml:\(position): error: nested more than 128 levels deep; this is not a pod description"])
    }

    @Test("nesting inside quotes, comments and block scalars is text, not structure")
    func nestingInText() {
        let brackets = String(repeating: "[", count: 300)
        let text = Spec.pod(container: "args:\n- \"\(brackets)\"\n- '\(brackets)'\n- |\n  \(brackets)\n# \(brackets)\nworkingDir: it's-\(brackets)")
        let result = Self.loadChecked(text)
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.spec.containers[0].args == [brackets, brackets, brackets + "\n"])
    }

    @Test("nesting the pre-scan cannot see is stopped by the parser's own limit, with a located message")
    func parserNestingLimit() {
        // A continuation line of a plain scalar that starts with a quote fools the cheap scan
        // (it takes the rest for a quoted string); libyaml still stops at 1000 levels.
        let text = "a: b\n  'c\nd: " + String(repeating: "[", count: 2_000)
        #expect(Self.printed(text) == ["bad.yaml:3:5: error: nested too deeply; this is not a pod description"])
    }

    // MARK: Numbers

    @Test(
        "numbers too large for any field are range errors at the field, in YAML and JSON",
        arguments: [
            ("containerPort: 99999999999999999999", "bad.yaml:10:22: error: spec.containers[0].ports[0].containerPort: 99999999999999999999 is out of range: must be between 1 and 65535"),
            ("containerPort: -99999999999999999999", "bad.yaml:10:22: error: spec.containers[0].ports[0].containerPort: -99999999999999999999 is out of range: must be between 1 and 65535"),
            ("containerPort: 1e999", "bad.yaml:10:22: error: spec.containers[0].ports[0].containerPort: expected a whole number, found 1e999"),
            ("containerPort: .inf", "bad.yaml:10:22: error: spec.containers[0].ports[0].containerPort: expected a whole number, found .inf"),
            ("containerPort: 0x7FFFFFFFFFFFFFFFFF", "bad.yaml:10:22: error: spec.containers[0].ports[0].containerPort: 0x7FFFFFFFFFFFFFFFFF is out of range: must be between 1 and 65535"),
        ])
    func hugeNumbersYAML(field: String, expected: String) {
        #expect(Self.printed(Spec.pod(container: "ports:\n- \(field)")) == [expected])
    }

    @Test("huge numbers in JSON: not representable in Swift, still reported at the field")
    func hugeNumbersJSON() {
        let template = #"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": [{"name": "a", "command": ["x"], "ports": [{"containerPort": NUMBER}]}], "terminationGracePeriodSeconds": 1e999}}"#
        #expect(Self.printed(template.replacingOccurrences(of: "NUMBER", with: "99999999999999999999"), file: "p.json") == [
            "p.json:1:148: error: spec.containers[0].ports[0].containerPort: 99999999999999999999 is out of range: must be between 1 and 65535",
            "p.json:1:207: error: spec.terminationGracePeriodSeconds: expected a whole number, found 1e999",
        ])
        #expect(Self.printed(template.replacingOccurrences(of: "NUMBER", with: "1e999"), file: "p.json") == [
            "p.json:1:148: error: spec.containers[0].ports[0].containerPort: expected a whole number, found 1e999",
            "p.json:1:192: error: spec.terminationGracePeriodSeconds: expected a whole number, found 1e999",
        ])
    }

    // MARK: Bytes and encodings

    @Test("random bytes never crash and give a located error", arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomBytes(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for length in [1, 2, 7, 64, 1_000, 20_000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let result = Self.loadChecked(Data(bytes))
            #expect(result.pod == nil)
        }
    }

    @Test("a pod with random bytes changed never crashes, and loads or gives located errors")
    func mutatedPods() throws {
        let original = Array(try Spec.fixture("pods/complete.yaml").utf8)
        var generator = SeededGenerator(seed: 42)
        let alphabet = Array("{}[]:,-?&*!|>'\"#% \n\t\r\\0aZ".utf8)
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            Self.loadChecked(Data(bytes))
        }
    }

    @Test("NUL, invalid UTF-8 and lone continuation bytes are placed where they are")
    func binaryBytes() {
        #expect(Self.loadChecked(Data("apiVersion: v1\nkind: P\0d\n".utf8)).diagnostics.map(\.description) == [
            "bad.yaml:2:8: error: invalid YAML: control characters are not allowed"
        ])
        #expect(Self.loadChecked(Data([0x61, 0x3A, 0x20, 0x0A, 0x62, 0x3A, 0x20, 0xC3, 0x28])).diagnostics.map(\.description) == [
            "bad.yaml:2:4: error: not UTF-8 text (binary data?); a pod description is YAML or JSON"
        ])
        #expect(Self.loadChecked(Data([0x80])).diagnostics.map(\.description) == [
            "bad.yaml:1:1: error: not UTF-8 text (binary data?); a pod description is YAML or JSON"
        ])
        #expect(Self.loadChecked(Data([0x00])).diagnostics.map(\.description) == [
            "bad.yaml:1:1: error: invalid YAML: control characters are not allowed"
        ])
    }

    @Test("UTF-16 with a byte order mark is read (as Kubernetes does); without one it is not UTF-8 YAML")
    func utf16() throws {
        let text = Spec.pod()
        for (encoding, nul) in [(String.Encoding.utf16LittleEndian, "1:2"), (.utf16BigEndian, "1:1")] {
            let bom: [UInt8] = encoding == .utf16LittleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
            let body = try #require(text.data(using: encoding))
            let withBOM = Self.loadChecked(Data(bom) + body)
            #expect(withBOM.diagnostics.isEmpty)
            #expect(withBOM.pod?.metadata.name == "demo")
            let withoutBOM = Self.loadChecked(body)
            // Without one, the bytes are UTF-8 with a NUL in every other place.
            #expect(withoutBOM.diagnostics.map(\.description) == ["bad.yaml:\(nul): error: invalid YAML: control characters are not allowed"])
        }
    }

    @Test("a UTF-8 byte order mark is skipped and does not shift positions")
    func utf8BOM() {
        let text = "\u{FEFF}" + Spec.pod(container: "comand: [x]")
        #expect(Self.printed(text) == [#"bad.yaml:9:5: error: spec.containers[0].comand: unknown field "comand"; did you mean "command"?"#])
        #expect(Self.loadChecked(Data([0xEF, 0xBB, 0xBF]) + Data(Spec.pod().utf8)).pod?.metadata.name == "demo")
    }

    @Test("Windows line endings load the same pod and place errors on the same lines")
    func crlf() throws {
        let lf = Spec.pod(container: "args: [a, b]\nenv:\n- {name: A, value: \"1\"}")
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        var pod = try #require(Self.loadChecked(crlf).pod)
        let expected = try #require(Self.loadChecked(lf).pod)
        pod.metadata.uid = expected.metadata.uid
        #expect(pod == expected)
        let broken = Spec.pod(container: "comand: [x]\nports:\n- containerPort: 0").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(Self.printed(broken) == [
            #"bad.yaml:9:5: error: spec.containers[0].comand: unknown field "comand"; did you mean "command"?"#,
            "bad.yaml:11:22: error: spec.containers[0].ports[0].containerPort: 0 is out of range: must be between 1 and 65535",
        ])
    }

    @Test("tabs in indentation: a located error saying to use spaces")
    func tabs() {
        #expect(Self.printed("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n") == [
            "bad.yaml:4:1: error: invalid YAML: a tab cannot indent YAML or start a value; use spaces for indentation"
        ])
        // A tab after the colon is only a separator, as YAML allows.
        #expect(Self.loadChecked(Spec.pod().replacingOccurrences(of: "name: demo", with: "name:\tdemo")).pod?.metadata.name == "demo")
    }

    // MARK: Documents

    @Test(
        "empty and documentless files are located errors at 1:1",
        arguments: [
            ("", "the file is empty; expected a v1 Pod in YAML or JSON"),
            ("  \n\t\n\r\n", "the file is empty; expected a v1 Pod in YAML or JSON"),
            ("---\n", "the file holds no document; expected a v1 Pod in YAML or JSON"),
            ("---\n...\n---\n", "the file holds no document; expected a v1 Pod in YAML or JSON"),
            ("# only a comment\n", "the file holds no document; expected a v1 Pod in YAML or JSON"),
        ])
    func empty(text: String, message: String) {
        #expect(Self.printed(text) == ["bad.yaml:1:1: error: \(message)"])
    }

    @Test("several documents: an error at the second, since podrun runs one pod per file")
    func severalDocuments() {
        let text = Spec.pod() + "---\n" + Spec.pod() + "---\n" + Spec.pod()
        #expect(Self.printed(text) == [
            "bad.yaml:10:1: error: the file holds 3 documents; podrun runs one Pod per file; put the Pod in a file of its own"
        ])
        // A leading "---" and a trailing empty document are still one pod.
        #expect(Self.loadChecked("---\n" + Spec.pod() + "---\n").pod?.metadata.name == "demo")
    }

    @Test(
        "a document that is not an object",
        arguments: [
            ("- a\n- b\n", "bad.yaml:1:1: error: expected an object, found a list"),
            ("[1, 2]", "bad.yaml:1:1: error: expected an object, found a list"),
            ("hello\n", "bad.yaml:1:1: error: expected an object, found a string"),
            ("42\n", "bad.yaml:1:1: error: expected an object, found a number"),
            ("true\n", "bad.yaml:1:1: error: expected an object, found a boolean"),
            ("~\n", "bad.yaml:1:1: error: expected an object, found null"),
            ("\"{}\"", "bad.yaml:1:1: error: expected an object, found a string"),
        ])
    func notAnObject(text: String, expected: String) {
        #expect(Self.printed(text) == [expected])
    }

    @Test("duplicate keys are located at the repetition when it can be found, else at the first occurrence")
    func duplicateKeys() {
        #expect(Self.printed(Spec.pod(container: "args: [a]\nargs: [b]")) == [
            #"bad.yaml:10:5: error: duplicate key "args" in one object (first at line 9); keep one of them"#
        ])
        #expect(Self.printed("{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"a\"},\n  \"kind\": \"Pod\"\n}\n", file: "bad.json") == [
            #"bad.json:4:3: error: duplicate key "kind" in one object (first at line 2); keep one of them"#
        ])
        #expect(Self.printed("metadata: {name: a, name: b}\n") == [
            #"bad.yaml:1:12: error: key "name" appears more than once in one object (first here); keep one of them"#
        ])
    }

    // MARK: Anchors and aliases

    @Test("an alias without an anchor before it is named in the error")
    func undefinedAlias() {
        #expect(Self.printed(Spec.pod(container: "env: *common")) == [
            "bad.yaml:9:10: error: invalid YAML: alias *common names no anchor defined before it; define &common on an earlier value, or write the value out"
        ])
        // An anchor cannot be used inside its own value.
        #expect(Self.printed("a: &loop [*loop]\n") == [
            "bad.yaml:1:11: error: invalid YAML: alias *loop names no anchor defined before it; define &loop on an earlier value, or write the value out"
        ])
    }

    static let laughs = (1...9).map { level in
        "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "lol" : "*l\(level - 1)", count: 9).joined(separator: ", ") + "]"
    }.joined(separator: "\n")

    static let mergeBomb: String = {
        var lines = ["m1: &m1 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}"]
        for level in 2...9 {
            let sources = Array(repeating: "*m\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("m\(level): &m\(level) {<<: [\(sources)]}")
        }
        lines += ["spec:", "  containers:", "  - <<: *m9", ""]
        return lines.joined(separator: "\n")
    }()

    /// 200 containers × 200 restart rules × 200 exit codes, all through aliases.
    static let readerBomb: String = {
        let values = Array(repeating: "1", count: 200).joined(separator: ",")
        let rules = Array(repeating: "{action: Restart, exitCodes: {operator: In, values: *v}}", count: 200).joined(separator: ",")
        let containers = Array(repeating: "*c", count: 200).joined(separator: ",")
        return """
            v: &v [\(values)]
            r: &r [\(rules)]
            c: &c {name: a, command: [x], restartPolicy: Never, restartPolicyRules: *r}
            spec: {containers: [\(containers)]}

            """
    }()

    static let bombs: [(String, String, String)] = [
        ("values", laughs + "\napiVersion: v1\n", "bad.yaml:7:10"),
        ("a key", laughs + "\n? *l9\n: x\n", "bad.yaml:7:10"),
        ("merge keys", mergeBomb, "bad.yaml:6:45"),
        ("lists the reader walks", readerBomb, "bad.yaml:4:84"),
    ]

    @Test("alias bombs are refused before they are expanded: values, keys, merge keys, lists the reader walks", arguments: bombs)
    func aliasBombs(kind: String, text: String, position: String) {
        let result = Self.loadChecked(text)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.description.hasPrefix("\(position): error: aliases (here *") == true)
        #expect(
            result.diagnostics.first?.message.hasSuffix(
                "expand this document to more than 1000000 values, far more than a pod needs (a \"billion laughs\" document?)") == true)
    }

    @Test("anchors shared a few times are fine, also in JSON-like text with & and * in strings")
    func modestAliases() {
        let text = Spec.pod(container: "env: &env\n- {name: A, value: \"a && b *c\"}\nargs: [\"*x\", '&y']", spec: "initContainers:\n- name: init\n  command: [x]\n  env: *env")
        let result = Self.loadChecked(text)
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.spec.initContainers[0].env == [EnvVar(name: "A", value: "a && b *c")])
        #expect(result.pod?.spec.containers[0].args == ["*x", "&y"])
    }

    // MARK: Size

    @Test("a 10 MB file is refused by its size, without parsing it")
    func tenMegabytes() {
        let data = Data(Spec.pod().utf8) + Data(repeating: UInt8(ascii: "#"), count: 10 << 20)
        #expect(Self.loadChecked(data).diagnostics.map(\.description) == [
            "bad.yaml:1:1: error: the file is \(data.count) bytes; a pod description is at most 8388608 bytes (8 MiB)"
        ])
    }

    @Test("a file of exactly 8 MiB still loads; one byte more is refused")
    func sizeLimit() {
        let head = Data((Spec.pod() + "#").utf8)
        let exact = head + Data(repeating: UInt8(ascii: "x"), count: PodLoader.maximumSize - head.count)
        #expect(exact.count == 8 << 20)
        let result = Self.loadChecked(exact)
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.metadata.name == "demo")
        #expect(Self.loadChecked(exact + Data("x".utf8)).diagnostics.map(\.message) == [
            "the file is 8388609 bytes; a pod description is at most 8388608 bytes (8 MiB)"
        ])
    }

    @Test("a megabyte-long value loads whole")
    func longValue() {
        let padding = String(repeating: "x", count: 1 << 20)
        let text = Spec.pod().replacingOccurrences(of: "  name: demo\n", with: "  name: demo\n  annotations: {note: \(padding)}\n")
        #expect(Self.loadChecked(text).pod?.metadata.annotations["note"]?.count == padding.count)
    }
}

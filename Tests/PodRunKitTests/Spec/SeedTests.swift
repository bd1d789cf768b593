import Testing
@testable import PodRunKit

/// What loading one seed must give.
struct SeedExpectation: Sendable, CustomTestStringConvertible {
    let file: String
    /// Complete pods: the containers without `command`, each of which must get the "podrun
    /// runs local executables" error and nothing else may be an error.
    let containersWithoutCommand: [String]
    /// Fields named by the single "accepted but ignored" warning, if any.
    let ignored: [String]
    /// For the snippets that are not complete pods as published: their exact diagnostics.
    let otherwise: [String]?

    init(_ file: String, withoutCommand: [String] = [], ignored: [String] = []) {
        self.file = file
        self.containersWithoutCommand = withoutCommand
        self.ignored = ignored
        self.otherwise = nil
    }

    init(_ file: String, incomplete diagnostics: [String]) {
        self.file = file
        self.containersWithoutCommand = []
        self.ignored = []
        self.otherwise = diagnostics
    }

    var testDescription: String { file }
}

@Suite("Seeds: the pods published in the articles under /work/shared/seeds")
struct SeedTests {
    /// One entry per file in `Fixtures/seeds` (each an exact copy of a `kind: Pod` document of
    /// an article, after a comment line naming its source).
    static let seeds: [SeedExpectation] = [
        SeedExpectation("000-sidecar-example.yaml", withoutCommand: ["spec.containers[0]", "spec.containers[1]"]),
        SeedExpectation("001-example-pod.yaml", withoutCommand: ["spec.containers[0]", "spec.containers[1]"]),
        // Steps 1 and 2 of the article are deliberately unfinished ("# ... containers will go
        // here"); Kubernetes rejects them too (spec.containers: Required value).
        SeedExpectation(
            "002-logging-sidecar-step1.yaml",
            incomplete: [
                #"seeds/002-logging-sidecar-step1.yaml:7:1: error: spec: required field has no value; add spec: {containers: [{name: main, command: ["/bin/sh", "-c", "echo hello"]}]}"#
            ]),
        SeedExpectation(
            "002-logging-sidecar-step2.yaml",
            incomplete: [
                "seeds/002-logging-sidecar-step2.yaml:8:3: error: spec.containers: required field is missing; add at least one container with a name and a command"
            ]),
        SeedExpectation("002-logging-sidecar-step3.yaml"),
        SeedExpectation("002-logging-sidecar-step4.yaml"),
        // The article's text lost all indentation, which turns the pod into one flat mapping
        // with repeated keys; the reconstruction in seeds-reindented is checked below.
        SeedExpectation(
            "004-app-with-sidecar.yaml",
            incomplete: [
                #"seeds/004-app-with-sidecar.yaml:33:1: error: duplicate key "cpu", "image", "memory", "mountPath", "volumeMounts" in one object (first at line 30); keep one of them"#
            ]),
    ]

    static let noCommandMessage = "required: podrun runs local executables, not images, so it cannot use the image's entrypoint"

    @Test("every seed fixture has an expectation, and starts with a comment naming its source")
    func inventory() throws {
        #expect(Spec.fixtures(in: "seeds") == Self.seeds.map(\.file))
        for seed in Self.seeds {
            let text = try Spec.fixture("seeds/\(seed.file)")
            #expect(text.hasPrefix("# Source: /work/shared/seeds/"))
        }
    }

    @Test("a seed loads with only one \"no command\" error per container lacking one, and the ignored-field warning", arguments: seeds)
    func seed(_ seed: SeedExpectation) throws {
        let path = "seeds/\(seed.file)"
        let result = PodLoader.load(text: try Spec.fixture(path), file: path)
        if let otherwise = seed.otherwise {
            #expect(result.diagnostics.map(\.description) == otherwise)
            return
        }
        let errors = result.diagnostics.errors
        #expect(errors.map(\.path) == seed.containersWithoutCommand.map { "\($0).command" })
        #expect(errors.allSatisfy { $0.message.hasPrefix(Self.noCommandMessage) && $0.fix?.hasPrefix("add the program to run") == true })
        // Each error points at its container, which is where `command:` goes.
        for error in errors {
            #expect(result.locations[FieldPath.parent(of: error.path)] == error.location)
        }
        let warnings = result.diagnostics.warnings
        if seed.ignored.isEmpty {
            #expect(warnings.isEmpty)
        } else {
            #expect(warnings.count == 1)
            for field in seed.ignored {
                #expect(warnings.first?.message.contains(field) == true)
            }
        }
        #expect((result.pod == nil) == !seed.containersWithoutCommand.isEmpty)
    }

    @Test("with the command the error asks for added to each container, every complete seed loads", arguments: seeds.filter { $0.otherwise == nil })
    func seedWithCommands(_ seed: SeedExpectation) throws {
        let path = "seeds/\(seed.file)"
        var lines = try Spec.fixture(path).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let errors = PodLoader.load(text: lines.joined(separator: "\n"), file: path).diagnostics.errors
        // The errors point at each container's first field; insert the command beneath it, bottom up.
        for error in errors.sorted(by: { $0.location.line > $1.location.line }) {
            let indent = String(repeating: " ", count: error.location.column - 1)
            lines.insert(indent + #"command: ["/bin/sh", "-c", "exec sleep 1000"]"#, at: error.location.line)
        }
        let fixed = PodLoader.load(text: lines.joined(separator: "\n"), file: path)
        #expect(!fixed.diagnostics.hasErrors)
        #expect(fixed.pod?.spec.allContainers.allSatisfy { !$0.command.isEmpty } == true)
    }

    @Test("the article 004 pod, re-indented, has a sidecar and a resources field podrun ignores")
    func reindented() throws {
        let path = "seeds-reindented/004-app-with-sidecar.yaml"
        let result = PodLoader.load(text: try Spec.fixture(path), file: path)
        #expect(result.diagnostics.map(\.description) == [
            "seeds-reindented/004-app-with-sidecar.yaml:12:5: error: spec.initContainers[0].command: \(Self.noCommandMessage) (fluent/fluentd:v1.16); add the program to run, e.g. command: [\"/bin/sh\", \"-c\", \"exec my-server --port 8080\"]",
            "seeds-reindented/004-app-with-sidecar.yaml:22:5: error: spec.containers[0].command: \(Self.noCommandMessage) (myregistry/myservice:v2.1.0); add the program to run, e.g. command: [\"/bin/sh\", \"-c\", \"exec my-server --port 8080\"]",
            "seeds-reindented/004-app-with-sidecar.yaml:29:5: warning: podrun accepts but does not act on this Kubernetes field: spec.containers[0].resources (line 29)",
        ])
    }
}

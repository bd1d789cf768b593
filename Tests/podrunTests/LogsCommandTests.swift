import Foundation
import PodRunKit
import Testing

/// `podrun logs` end to end, against a run directory built by hand under a temporary
/// `--state-dir`.
@Suite
final class LogsCommandTests {
    let stateDir: URL

    init() throws {
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-logs-cli-\(UUID().uuidString)")
        let layout = PodRunDirectoryLayout(stateRoot: stateDir, pod: "web")
        try FileManager.default.createDirectory(at: layout.logDirectory(container: "app"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: layout.logDirectory(container: "proxy"), withIntermediateDirectories: true)
        try Data(#"{"phase":"Succeeded","finished":true,"containers":[{"name":"app","kind":"regular","restartCount":1},{"name":"proxy","kind":"regular","restartCount":0}]}"#.utf8)
            .write(to: layout.statusFile)
        try Data("""
            2024-05-01T12:00:00.000000001Z stdout F old instance

            """.utf8).write(to: layout.logFile(container: "app", restartCount: 0))
        try Data("""
            2024-05-01T12:00:01.000000001Z stdout F hello
            2024-05-01T12:00:02.000000001Z stderr P long 
            2024-05-01T12:00:02.000000001Z stderr F line

            """.utf8).write(to: layout.logFile(container: "app", restartCount: 1))
        try Data("2024-05-01T12:00:03.000000001Z stdout F proxy up\n".utf8).write(to: layout.logFile(container: "proxy", restartCount: 0))
    }

    deinit { try? FileManager.default.removeItem(at: stateDir) }

    func podrun(_ arguments: [String]) throws -> PodrunCLI.Result {
        try PodrunCLI.run(["logs"] + arguments + ["--state-dir", stateDir.path])
    }

    @Test func printsTheContainersLinesRaw() throws {
        let result = try podrun(["web", "-c", "app"])
        #expect(result.status == 0)
        #expect(result.stdout == "hello\nlong line\n")
        #expect(result.stderr == "")
    }

    @Test func severalContainersWithoutANameIsAUsageError() throws {
        let result = try podrun(["web"])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "error: a container name must be specified for pod web, choose one of: [app proxy]\n")
    }

    @Test func flagsAsKubectlSpellsThem() throws {
        let previous = try podrun(["pod/web", "-c", "app", "-p"])
        #expect(previous.stdout == "old instance\n")
        let tail = try podrun(["web", "--container=app", "--tail=1", "--timestamps", "--prefix"])
        #expect(tail.stdout == "[pod/web/app] 2024-05-01T12:00:02.000000001Z long line\n")
        let all = try podrun(["web", "--all-containers", "--prefix"])
        #expect(all.stdout == "[pod/web/app] hello\n[pod/web/app] long line\n[pod/web/proxy] proxy up\n")
        let since = try podrun(["web", "-c", "app", "--since", "1h"])
        #expect(since.status == 0)
        #expect(since.stdout == "", "every line is from 2024")
    }

    @Test func badInputExitsWithTwoAndMissingPodsWithOne() throws {
        #expect(try podrun(["web", "-c", "app", "--since", "5x"]).status == 2)
        let missing = try podrun(["nothere"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix(#"error: pod "nothere" not found"#))
    }
}

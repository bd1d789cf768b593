import Foundation
import Testing

@testable import PodRunKit

@Suite struct HandlerTextTests {
    @Test(arguments: [
        (Duration.seconds(1), "1s"), (.seconds(30), "30s"), (.milliseconds(500), "500ms"),
        (.milliseconds(1500), "1.5s"), (.milliseconds(2250), "2.25s"), (.zero, "0s"),
    ])
    func durations(_ value: Duration, _ text: String) {
        #expect(HandlerText.duration(value) == text)
    }

    @Test(arguments: [
        ("cat: /tmp/ready: No such file or directory\n", "cat: /tmp/ready: No such file or directory"),
        ("\n  one  \n\n\ttwo\r\n", "one | two"),
        ("col\u{1B}[31mred\u{1B}[0m", "col [31mred [0m"),
        ("", ""),
    ])
    func outputSummaries(_ output: String, _ summary: String) {
        #expect(HandlerText.summary(ofOutput: Array(output.utf8)) == summary)
    }

    @Test func summaryIsCutAndMarked() {
        let long = String(repeating: "x", count: 1000)
        let summary = HandlerText.summary(ofOutput: Array(long.utf8))
        #expect(summary.count == HandlerText.outputLimit)
        #expect(summary.hasSuffix("…"))
        #expect(HandlerText.summary(ofOutput: Array("short".utf8), truncated: true) == "short…")
    }

    @Test func commandsAreShownAsTheKubeletShowsThem() {
        #expect(HandlerText.command(["cat", "/tmp/ready"]) == "[cat /tmp/ready]")
        #expect(HandlerText.command(["sh", "-c", "a\nb"]) == "[sh -c a b]")
        #expect(HandlerText.command([String(repeating: "y", count: 500)]).count == HandlerText.commandLimit + 2)
    }

    @Test(arguments: [
        ("exec \"nope\": executable file not found in $PATH", "executable file not found in $PATH"),
        ("exec \"/a \\\"b\\\"\": permission denied", "permission denied"),
        ("chdir \"/nope\": no such file or directory", "chdir \"/nope\": no such file or directory"),
        ("exec \"unterminated", "exec \"unterminated"),
    ])
    func launchFailuresLoseTheQuotedProgram(_ message: String, _ expected: String) {
        #expect(ExecOperation.startFailure(message) == expected)
    }

    @Test func errnoTextIsLowerCase() {
        #expect(HandlerText.errno(ECONNREFUSED) == "connection refused")
    }
}

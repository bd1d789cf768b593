import Foundation
import Testing

@Suite("podrun version")
struct CLIVersionTests {
    @Test("prints the version and exits 0")
    func version() throws {
        let result = try PodrunCLI.run(["version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("podrun "))
    }
}

import ArgumentParser
import PodRunKit

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print podrun's version.")

    func run() {
        print("podrun \(PodRunVersion.current)")
    }
}

import Foundation
import PodRunKit

/// `--events FILE`: the event stream as JSON Lines, to a file or (`-`) standard output.
final class EventFileSink: Sendable {
    private let handle: FileHandle
    private let ownsHandle: Bool

    init(path: String) throws {
        if path == "-" {
            handle = .standardOutput
            ownsHandle = false
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ValidationFailure("--events: cannot create \(path)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            ownsHandle = true
        }
    }

    func write(_ record: EventRecord) {
        handle.write(Data(EventEncoder.jsonLine(record)))
    }

    func close() {
        if ownsHandle { try? handle.close() }
    }
}

/// A problem with the command line found while running it.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

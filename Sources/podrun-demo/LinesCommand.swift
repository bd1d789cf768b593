import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `lines`: the chatty-program stand-in for log demos and log-throughput tests. Prints N
/// numbered lines as fast as the reader takes them, in large buffered writes, and nothing else
/// on stdout so the line count is exact.
struct LinesCommand: DemoCommand {
    static let name = "lines"
    static let summary = "print N numbered lines quickly (for log demos)"
    static let synopsis = "--count N [--prefix P] [--width W]"
    static let details = """
          --count N    how many lines (required)
          --prefix P   text before each number (default "line")
          --width W    pad every line with filler to W characters (newline not counted)
        Lines look like "line 1", "line 2", ...
        """
    static let valueOptions: Set<String> = ["--count", "--prefix", "--width"]
    static let flagOptions: Set<String> = []

    let count: Int
    let prefix: String
    let width: Int

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 0)
        count = try arguments.required("--count", arguments.integer("--count", in: 0...Int(Int32.max)))
        prefix = arguments.string("--prefix") ?? "line"
        width = try arguments.integer("--width", in: 0...1_000_000) ?? 0
    }

    func run() -> Never {
        let trap = SignalTrap(queue: .global()) { _ in exit(0) }
        let filler = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        let head = Array(prefix.utf8) + (prefix.isEmpty ? [] : [UInt8(ascii: " ")])
        var buffer: [UInt8] = []
        buffer.reserveCapacity(128 * 1024)
        withExtendedLifetime(trap) {
            for number in stride(from: 1, through: count, by: 1) {
                let start = buffer.count
                buffer += head
                buffer += String(number).utf8
                if buffer.count - start < width {
                    buffer.append(UInt8(ascii: " "))
                    var index = 0
                    while buffer.count - start < width {
                        buffer.append(filler[index % filler.count])
                        index += 1
                    }
                }
                buffer.append(UInt8(ascii: "\n"))
                if buffer.count >= 64 * 1024 {
                    // The reader went away (`| head`): nothing left to do.
                    guard Console.outBytes(buffer) else { exit(0) }
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            Console.outBytes(buffer)
        }
        exit(0)
    }
}

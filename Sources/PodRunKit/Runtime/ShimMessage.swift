/// One message from a shim's control socket: a line (`started`, `failed`, `exited`,
/// `exec-failed`), or an exec's result, whose header line is followed by exactly as many bytes of
/// output as it announces (output may hold newlines, so it cannot be a line).
enum ShimMessage: Equatable {
    case line(String)
    case execExited(id: UInt64, exit: ProcessExit, output: [UInt8], truncated: Bool)

    /// Takes every complete message off the front of `buffer`, leaving a partial one in place.
    static func parse(_ buffer: inout [UInt8]) -> [ShimMessage] {
        var messages: [ShimMessage] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[start..<newline], as: UTF8.self)
            let words = line.split(separator: " ")
            if words.first == "exec-exited" {
                // exec-exited <id> <code> <signal> <length> <truncated>
                guard words.count == 6, let id = UInt64(words[1]), let code = Int32(words[2]), let signal = Int32(words[3]),
                    let length = Int(words[4]), length >= 0
                else {
                    start = newline + 1
                    continue
                }
                let outputStart = newline + 1
                guard buffer.count - outputStart >= length else { break }
                let exit = ProcessExit(exitCode: code, signal: signal == 0 ? nil : signal)
                messages.append(.execExited(id: id, exit: exit, output: Array(buffer[outputStart..<outputStart + length]), truncated: words[5] == "1"))
                start = outputStart + length
            } else {
                messages.append(.line(line))
                start = newline + 1
            }
        }
        buffer.removeFirst(start)
        // A line without an end that grows without bound is not a message podrun understands.
        if buffer.count > 1 << 20, !buffer.contains(UInt8(ascii: "\n")) { buffer.removeAll() }
        return messages
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process that holds a port, for an error message that says whom to stop.
public struct PortHolder: Sendable, Hashable, Codable, CustomStringConvertible {
    public var pid: Int32
    /// The program's name (`/proc/<pid>/comm`), when readable.
    public var command: String?

    public init(pid: Int32, command: String? = nil) {
        self.pid = pid
        self.command = command
    }

    public var description: String { "pid \(pid)" + (command.map { " (\($0))" } ?? "") }

    /// Who holds `port` on this machine, where the OS tells: on Linux, the socket's inode from
    /// `/proc/net/tcp{,6}` (`udp{,6}`) and the process with that socket among its `/proc/*/fd`
    /// (only processes podrun may inspect: normally the user's own). Elsewhere nil.
    public static func find(port: Int32, protocol: PortProtocol) -> PortHolder? {
        #if os(Linux)
        let tables = `protocol` == .udp ? ["/proc/net/udp", "/proc/net/udp6"] : ["/proc/net/tcp", "/proc/net/tcp6"]
        // TCP: a listening socket (state 0A) is what makes a bind fail; UDP sockets have no listen state.
        let inodes = Set(tables.flatMap { socketInodes(in: $0, port: port, listeningOnly: `protocol` != .udp) })
        guard !inodes.isEmpty else { return nil }
        for name in VolumeFiles.names(in: "/proc") {
            guard let pid = Int32(name) else { continue }
            let descriptors = "/proc/\(name)/fd"
            for descriptor in VolumeFiles.names(in: descriptors) {
                guard let target = readLink("\(descriptors)/\(descriptor)"), target.hasPrefix("socket:["), target.hasSuffix("]"),
                    let inode = UInt64(target.dropFirst("socket:[".count).dropLast()), inodes.contains(inode)
                else { continue }
                let command = readFile("/proc/\(name)/comm")?.trimmingCharacters(in: .whitespacesAndNewlines)
                return PortHolder(pid: pid, command: command?.isEmpty == false ? command : nil)
            }
        }
        return nil
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// Inodes of the sockets bound to local `port` in one `/proc/net` table, whose lines read
    /// `sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …` with
    /// addresses as `HEXADDR:HEXPORT`.
    static func socketInodes(in table: String, port: Int32, listeningOnly: Bool) -> [UInt64] {
        guard let text = readFile(table) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, let colon = fields[1].lastIndex(of: ":"),
                let localPort = Int32(fields[1][fields[1].index(after: colon)...], radix: 16), localPort == port,
                !listeningOnly || fields[3] == "0A",
                let inode = UInt64(fields[9]), inode != 0
            else { return nil }
            return inode
        }
    }

    /// Reads a file of unknown length to its end (procfs files report a size of 0).
    private static func readFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, $0.count - 1) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    #endif
}

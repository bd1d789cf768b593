import Dispatch
import Foundation

/// One proxied connection: connects to the target, copies bytes both ways on two threads, and
/// logs a single line when both directions are done. End of stream on one side is passed on as
/// a half-close (`shutdown(SHUT_WR)`) so request/response protocols that close their sending
/// side early still get their answer; an error on either side tears down both.
struct TCPRelay: Sendable {
    let client: TCPSocket
    let targetHost: String
    let targetPort: Int
    /// How the target appears in log lines, e.g. `127.0.0.1:8080`.
    let targetDescription: String

    /// Relays until both directions have ended, then closes both sockets. Blocks the caller.
    func run() {
        let from = client.peer?.description ?? "unknown"
        let upstream: TCPSocket
        do {
            upstream = try TCPSocket.connect(to: SocketAddress.resolve(host: targetHost, port: targetPort, passive: false))
        } catch {
            let reason = (error as? SocketError)?.reason ?? "\(error)"
            Console.out("proxy: \(from) -> \(targetDescription) failed: \(reason), closed the client")
            client.close()
            return
        }
        let sent = Locked(0)
        let sendingDone = DispatchSemaphore(value: 0)
        let client = client
        Thread.detachNewThread {
            let count = Self.pump(from: client, to: upstream)
            sent.withLock { $0 = count }
            sendingDone.signal()
        }
        let received = Self.pump(from: upstream, to: client)
        sendingDone.wait()
        client.close()
        upstream.close()
        let up = sent.current
        Console.out("proxy: \(from) -> \(targetDescription) closed after \(up + received) bytes (\(up) sent, \(received) received)")
    }

    /// Copies `source` to `sink` until `source` ends; returns the bytes copied.
    private static func pump(from source: TCPSocket, to sink: TCPSocket) -> Int {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { source.read(into: $0) }
            if count == 0 {
                // Clean end of stream: pass the half-close on and let the other direction finish.
                sink.shutdownWrite()
                return total
            }
            let written = count > 0 && buffer.withUnsafeBytes {
                sink.writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count]))
            }
            guard written else {
                // A reset or failed write: end both directions, which also wakes the other thread.
                source.shutdownBoth()
                sink.shutdownBoth()
                return total
            }
            total += count
        }
    }
}

import Dispatch

/// Accepts connections on a `TCPListener` whenever it becomes readable and hands each one to a
/// handler. Shared by `serve` and `proxy`; `stop()` is how both "stop accepting" on SIGTERM.
final class AcceptLoop: @unchecked Sendable {
    // Why @unchecked is safe: the only stored property is an immutable reference to a dispatch
    // source. libdispatch objects are thread-safe and `cancel()` may be called from any thread;
    // the Linux overlay just doesn't mark the protocol Sendable. Everything else the source
    // touches (listener, handler) is Sendable and captured by its handlers, not stored here.
    private let source: any DispatchSourceRead

    /// Starts accepting at once. `handler` runs on `queue` for each connection and must hand
    /// the connection to another thread quickly, since accepting waits for it.
    init(listener: TCPListener, queue: DispatchQueue, handler: @escaping @Sendable (TCPSocket) -> Void) {
        source = DispatchSource.makeReadSource(fileDescriptor: listener.fd, queue: queue)
        source.setEventHandler {
            while let connection = listener.accept() {
                handler(connection)
            }
        }
        // The descriptor may only be closed once the source has let go of it.
        source.setCancelHandler {
            listener.close()
        }
        source.resume()
    }

    /// Stops accepting and closes the listening socket; new connections are then refused.
    func stop() {
        source.cancel()
    }
}

/// A handler could not even begin (unknown port name, bad URL, no command): `message` says why,
/// without the handler's own prefix (`HTTP GET …:`), which the caller adds.
struct HandlerFailure: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}

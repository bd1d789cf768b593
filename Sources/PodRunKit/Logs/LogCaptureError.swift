/// Log capture could not be set up (the log directory or file, or a pipe).
public struct LogCaptureError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

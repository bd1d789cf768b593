/// How one probe or hook attempt ended, before it becomes a `ProbeOutcome` or `HookOutcome`.
/// The handlers share it so timing out and cancellation are worded the same way everywhere.
enum HandlerResult: Sendable, Equatable {
    /// Passed; `note` is worth telling the user even so (a redirect to another host not followed).
    case succeeded(note: String?)
    /// Failed; the message names the handler and says what went wrong.
    case failed(String)
    /// The probe's `timeoutSeconds` ran out; whatever it started has been stopped.
    case timedOut(Duration)
    /// The calling task was cancelled (the container exited, the grace period ran out).
    case cancelled
    /// The container ended under the attempt (an exec run beside it went with it): no verdict.
    case containerExited

    static let succeeded = HandlerResult.succeeded(note: nil)

    /// The message a user reads; nil for a plain success.
    var message: String? {
        switch self {
        case .succeeded(let note): note
        case .failed(let message): message
        case .timedOut(let limit): "timed out after \(HandlerText.duration(limit))"
        case .cancelled: "cancelled"
        case .containerExited: "the container exited"
        }
    }
}

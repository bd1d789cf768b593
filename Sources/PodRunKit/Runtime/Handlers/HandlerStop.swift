/// Why an attempt is being stopped from outside: its deadline passed, or the task awaiting it was
/// cancelled. Each handler turns it into the matching `HandlerResult` once its work is undone.
enum HandlerStop: Sendable, Equatable {
    case timedOut(Duration)
    case cancelled

    var result: HandlerResult {
        switch self {
        case .timedOut(let limit): .timedOut(limit)
        case .cancelled: .cancelled
        }
    }
}

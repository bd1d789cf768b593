/// One probe attempt's outcome plus what is worth telling the user even when it passed.
///
/// The kubelet counts some odd answers as success but warns about them (an httpGet redirected to
/// another host: "Probe terminated redirects"). `ProbeOutcome.success` has no room for that, so
/// `ProbeExecutor.check` returns this and `ProbeExecutor.run` drops the note.
public struct ProbeReport: Sendable, Hashable {
    public var outcome: ProbeOutcome
    /// Set only for a success that deserves a warning event.
    public var note: String?

    public init(outcome: ProbeOutcome, note: String? = nil) {
        self.outcome = outcome
        self.note = note
    }

    init(_ result: HandlerResult) {
        switch result {
        case .succeeded(let note): self.init(outcome: .success, note: note)
        case .failed, .timedOut, .cancelled: self.init(outcome: .failure(message: result.message ?? "failed"))
        case .containerExited: self.init(outcome: .unknown(message: result.message ?? "the container exited"))
        }
    }
}

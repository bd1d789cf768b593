import Foundation

/// An event as it appears in the stream: numbered and timed by the runtime.
public struct EventRecord: Sendable, Hashable {
    /// 1, 2, 3… in order of occurrence within one pod run.
    public let seq: Int
    /// Wall-clock time of the event.
    public let time: Date
    public let event: PodEvent

    public init(seq: Int, time: Date, event: PodEvent) {
        self.seq = seq
        self.time = time
        self.event = event
    }
}

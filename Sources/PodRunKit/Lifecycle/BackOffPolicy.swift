/// Restart back-off settings: Kubernetes' CrashLoopBackOff starts at 10 s and doubles up to
/// 300 s; podrun lets both be set (`--backoff-initial`, `--backoff-max`).
public struct BackOffPolicy: Sendable, Hashable, Codable {
    public var initial: Duration
    public var maximum: Duration

    /// As the kubelet does with a maximum below the initial delay, the initial delay is lowered
    /// to the maximum.
    public init(initial: Duration = .seconds(10), maximum: Duration = .seconds(300)) {
        self.maximum = maximum
        self.initial = min(initial, maximum)
    }

    public static let kubernetes = BackOffPolicy()
}

/// One container's back-off entry, following client-go's `flowcontrol.Backoff` as the kubelet
/// uses it: the first restart is immediate, then initial, doubling, capped; an entry expires
/// (and the schedule starts over) once the container ran for more than twice the maximum.
struct BackOffEntry: Sendable, Hashable {
    /// The delay to apply before the next restart.
    var delay: Duration
    /// When the entry was last advanced (the last restart).
    var lastUpdate: Duration

    /// `hasExpired`: the container ran for more than 2×max since the last restart.
    static func isExpired(_ entry: BackOffEntry, finishedAt: Duration, policy: BackOffPolicy) -> Bool {
        finishedAt - entry.lastUpdate > policy.maximum * 2
    }

    /// `IsInBackOffSince`: the moment a restart may happen, or nil if it may happen now.
    static func restartTime(entry: BackOffEntry?, finishedAt: Duration, now: Duration, policy: BackOffPolicy) -> Duration? {
        guard let entry, !isExpired(entry, finishedAt: finishedAt, policy: policy) else { return nil }
        let allowed = finishedAt + entry.delay
        return now < allowed ? allowed : nil
    }

    /// `Next`: the entry after a restart at `now` of an instance that finished at `finishedAt`.
    static func next(entry: BackOffEntry?, finishedAt: Duration, now: Duration, policy: BackOffPolicy) -> BackOffEntry {
        guard let entry, !isExpired(entry, finishedAt: finishedAt, policy: policy) else {
            return BackOffEntry(delay: policy.initial, lastUpdate: now)
        }
        return BackOffEntry(delay: min(entry.delay * 2, policy.maximum), lastUpdate: now)
    }
}

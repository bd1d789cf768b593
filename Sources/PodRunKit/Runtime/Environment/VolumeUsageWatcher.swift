import Dispatch
import Foundation

/// Enforces `emptyDir.sizeLimit` the way the kubelet's eviction manager does: by measuring usage
/// periodically and evicting the pod (phase Failed, reason Evicted) once a volume holds more than
/// its limit. podrun cannot cap a directory's size, so, as on a node, a volume may briefly exceed
/// the limit before the pod is stopped.
///
/// It polls every `interval` (1 s by default) on a private utility queue, and only while there is a
/// limit to watch: with none, `start()` does nothing. `onExceeded` is called at most once per volume,
/// on that queue; the Supervisor evicts the pod there.
public final class VolumeUsageWatcher: Sendable {
    public let volumes: PodVolumes
    public let limits: [String: Int64]
    public let interval: Duration
    private let onExceeded: @Sendable (_ volume: String, _ usage: Int64, _ limit: Int64) -> Void
    private let queue = DispatchQueue(label: "podrun.volume-usage-watcher", qos: .utility)
    private let state = Locked(State())

    private struct State {
        var running = false
        /// Bumped by every start and stop, so a tick scheduled before a stop never reschedules.
        var generation = 0
        var reported: Set<String> = []
    }

    public convenience init(
        volumes: PodVolumes, limits: [String: Int64],
        onExceeded: @escaping @Sendable (_ volume: String, _ usage: Int64, _ limit: Int64) -> Void
    ) {
        self.init(volumes: volumes, limits: limits, interval: .seconds(1), onExceeded: onExceeded)
    }

    public init(
        volumes: PodVolumes, limits: [String: Int64], interval: Duration,
        onExceeded: @escaping @Sendable (_ volume: String, _ usage: Int64, _ limit: Int64) -> Void
    ) {
        self.volumes = volumes
        self.limits = limits
        self.interval = interval
        self.onExceeded = onExceeded
    }

    /// Starts polling when there is a limit to watch; calling it again while polling does nothing.
    public func start() {
        guard !limits.isEmpty else { return }
        let generation: Int? = state.withLock { state in
            guard !state.running else { return nil }
            state.running = true
            state.generation += 1
            return state.generation
        }
        if let generation { schedule(generation) }
    }

    /// Stops polling. No new check starts after it returns; a callback already under way may
    /// still finish.
    public func stop() {
        state.withLock { state in
            state.running = false
            state.generation += 1
        }
    }

    /// Whether a poll is scheduled.
    public var isPolling: Bool { state.withLock { $0.running } }

    /// Measures every limited volume now and reports those over their limit (once each).
    /// Returns the usage measured, by volume name.
    @discardableResult
    public func check() -> [String: Int64] {
        var usage: [String: Int64] = [:]
        for (volume, limit) in limits.sorted(by: { $0.key < $1.key }) {
            let bytes = VolumeUsage.bytes(at: volumes.directory(of: volume).path)
            usage[volume] = bytes
            guard bytes > limit else { continue }
            let first = state.withLock { $0.reported.insert(volume).inserted }
            if first { onExceeded(volume, bytes, limit) }
        }
        return usage
    }

    private func schedule(_ generation: Int) {
        let (seconds, attoseconds) = interval.components
        let nanoseconds = max(1_000_000, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in
            self?.tick(generation)
        }
    }

    private func tick(_ generation: Int) {
        guard isCurrent(generation) else { return }
        check()
        if isCurrent(generation) { schedule(generation) }
    }

    private func isCurrent(_ generation: Int) -> Bool {
        state.withLock { $0.running && $0.generation == generation }
    }
}

/// What `podrun logs` was asked for; the flags mean what `kubectl logs`'s do.
public struct PodLogsRequest: Sendable, Hashable {
    public var pod: String
    /// `-c`: the container; nil lets the pod's only (regular) container be chosen.
    public var container: String?
    /// `-f`: keep printing new lines, and the container's next instances, until the pod ends.
    public var follow: Bool
    /// `-p`: the previous instance (the one before the latest) instead of the latest.
    public var previous: Bool
    /// `--timestamps`: each line starts with its RFC 3339 time (nanoseconds) and a space.
    public var timestamps: Bool
    /// `--tail`: only the last N lines of what exists (nil: all).
    public var tail: Int?
    /// `--since`: only lines read within this duration before now.
    public var since: Duration?
    /// `--all-containers`: every container, in spec order (init containers first).
    public var allContainers: Bool
    /// `--prefix`: each line starts with `[pod/<pod>/<container>] `.
    public var prefix: Bool

    public init(
        pod: String, container: String? = nil, follow: Bool = false, previous: Bool = false, timestamps: Bool = false,
        tail: Int? = nil, since: Duration? = nil, allContainers: Bool = false, prefix: Bool = false
    ) {
        self.pod = pod
        self.container = container
        self.follow = follow
        self.previous = previous
        self.timestamps = timestamps
        self.tail = tail
        self.since = since
        self.allContainers = allContainers
        self.prefix = prefix
    }
}

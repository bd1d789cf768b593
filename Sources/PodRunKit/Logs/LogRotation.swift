/// When a container instance's log file is rotated, and how many rotated files are kept.
///
/// The current file is `<restartCount>.log`; when a write would take it past `maxFileSize` it is
/// renamed `<restartCount>.log.1` (the previous `.1` becomes `.2`, and so on) and a new file is
/// started. Files are cut only between records, so no record is ever split across files. Older
/// files than `rotatedFilesKept` are deleted: rotation bounds disk use, it never drops a line
/// because the container was fast.
public struct LogRotation: Sendable, Hashable {
    /// The size (bytes) a log file may reach before it is rotated; 0 or less never rotates.
    public var maxFileSize: Int
    /// How many rotated files (`N.log.1` … `N.log.K`) are kept beside the current one.
    public var rotatedFilesKept: Int

    /// 10 MiB, as the kubelet's `containerLogMaxSize`.
    public static let defaultMaxFileSize = 10 * 1024 * 1024
    /// Two rotated files beside the current one (the kubelet keeps five files in all).
    public static let defaultRotatedFilesKept = 2

    public init(maxFileSize: Int = LogRotation.defaultMaxFileSize, rotatedFilesKept: Int = LogRotation.defaultRotatedFilesKept) {
        self.maxFileSize = maxFileSize
        self.rotatedFilesKept = max(0, rotatedFilesKept)
    }

    /// Parses a `--log-max-size` value in Kubernetes quantity syntax (`10Mi`, `512Ki`, `1G`,
    /// `1048576`); nil when it is not a quantity.
    public init?(maxSize text: String, rotatedFilesKept: Int = LogRotation.defaultRotatedFilesKept) {
        guard let quantity = Quantity(text), quantity.bytes <= Int64(Int.max) else { return nil }
        self.init(maxFileSize: Int(quantity.bytes), rotatedFilesKept: rotatedFilesKept)
    }

    /// The name of the file holding a container instance's log: `0.log` for `generation` 0, and
    /// `0.log.1`, `0.log.2` (older and older) for rotated ones.
    public static func fileName(restartCount: Int, generation: Int = 0) -> String {
        generation == 0 ? "\(restartCount).log" : "\(restartCount).log.\(generation)"
    }
}

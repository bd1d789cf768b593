/// Which of a container's two output pipes a line came from, spelled as in the kubelet's CRI
/// log format (`stdout`/`stderr`) and in `podrun run --output json`.
public enum LogStream: String, Sendable, Codable, CaseIterable {
    case stdout
    case stderr
}

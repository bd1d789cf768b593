#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DownwardAPIField {
    /// The value of the field for a pod run by podrun on this machine (`valueFrom.fieldRef`).
    ///
    /// The pod's own addresses are 127.0.0.1 because its containers share the host's loopback
    /// network; the "node" is this machine, named by its host name; podrun has no service
    /// accounts, so the API server's default, `default`, stands. A missing label or annotation is
    /// the empty string, as in Kubernetes.
    public func value(in pod: Pod, nodeName: String) -> String {
        switch self {
        case .name: pod.metadata.name
        case .namespace: pod.metadata.namespace
        case .uid: pod.metadata.uid
        case .label(let key): pod.metadata.labels[key] ?? ""
        case .annotation(let key): pod.metadata.annotations[key] ?? ""
        case .nodeName: nodeName
        case .serviceAccountName: "default"
        case .podIP, .hostIP: "127.0.0.1"
        }
    }

    /// This machine's host name (`gethostname`, which unlike `ProcessInfo.hostName` never waits
    /// for DNS): the value of `spec.nodeName`.
    public static var localNodeName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

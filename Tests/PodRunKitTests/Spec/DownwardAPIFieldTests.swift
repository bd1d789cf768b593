import Testing
@testable import PodRunKit

@Suite("DownwardAPIField: the pod fields an environment variable can take")
struct DownwardAPIFieldTests {
    @Test(
        "supported field paths",
        arguments: [
            ("metadata.name", DownwardAPIField.name), ("metadata.namespace", .namespace), ("metadata.uid", .uid),
            ("spec.nodeName", .nodeName), ("spec.serviceAccountName", .serviceAccountName), ("status.podIP", .podIP),
            ("status.podIPs", .podIP), ("status.hostIP", .hostIP), ("status.hostIPs", .hostIP),
            ("metadata.labels['app']", .label("app")), ("metadata.labels['app.kubernetes.io/name']", .label("app.kubernetes.io/name")),
            ("metadata.annotations['note']", .annotation("note")),
        ])
    func supported(path: String, field: DownwardAPIField) {
        #expect(DownwardAPIField(path) == field)
    }

    @Test(
        "unsupported field paths",
        arguments: [
            "", "metadata", "metadata.labels", "metadata.labels['']", "metadata.labels[app]", "metadata.labels[\"app\"]",
            "metadata.annotations", "status.phase", "spec.containers", "Metadata.name", "metadata.name ",
        ])
    func unsupported(path: String) {
        #expect(DownwardAPIField(path) == nil)
    }

    @Test("every path the validator lists as supported parses")
    func validatorList() {
        for path in PodValidator.supportedFieldPaths {
            #expect(DownwardAPIField(path) != nil, "\(path)")
        }
    }
}

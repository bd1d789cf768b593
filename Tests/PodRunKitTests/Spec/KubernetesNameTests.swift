import Testing
@testable import PodRunKit

@Suite("KubernetesName: RFC 1123 labels and subdomains, IANA port names")
struct KubernetesNameTests {
    static let labelRule =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let subdomainRule =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

    @Test("valid labels", arguments: ["a", "web", "web-1", "1web", "123", String(repeating: "a", count: 63)])
    func validLabel(name: String) {
        #expect(KubernetesName.labelProblem(name) == nil)
    }

    @Test(
        "invalid labels",
        arguments: [
            ("", "must not be empty"), (String(repeating: "a", count: 64), "must be no more than 63 characters"), ("Web", labelRule),
            ("web_1", labelRule), ("-web", labelRule), ("web-", labelRule), ("web.app", labelRule), ("wéb", labelRule), ("web app", labelRule),
        ])
    func invalidLabel(name: String, problem: String) {
        #expect(KubernetesName.labelProblem(name) == problem)
    }

    @Test("valid subdomains", arguments: ["a", "my-pod", "my-pod.v1", "a.b.c", String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63)])
    func validSubdomain(name: String) {
        #expect(KubernetesName.subdomainProblem(name) == nil)
    }

    @Test(
        "invalid subdomains",
        arguments: [
            ("", "must not be empty"), (String(repeating: "a", count: 254), "must be no more than 253 characters"), ("My-Pod", subdomainRule),
            ("a..b", subdomainRule), (".a", subdomainRule), ("a.", subdomainRule), ("a.-b", subdomainRule), ("a_b", subdomainRule),
        ])
    func invalidSubdomain(name: String, problem: String) {
        #expect(KubernetesName.subdomainProblem(name) == problem)
    }

    @Test(
        "port names",
        arguments: [
            ("http", nil), ("h2c", nil), ("web-ui", nil), ("a1234567890bcde", nil), ("", "must not be empty"),
            ("a1234567890bcdef", "must be no more than 15 characters"), ("HTTP", "must contain only lower case alphanumeric characters (a-z, 0-9) and '-'"),
            ("8080", "must contain at least one letter (a-z)"), ("-web", "must not begin or end with a hyphen"),
            ("web-", "must not begin or end with a hyphen"), ("web--ui", "must not contain consecutive hyphens"),
        ] as [(String, String?)])
    func portNames(name: String, problem: String?) {
        #expect(KubernetesName.portNameProblem(name) == problem)
    }

    @Test(
        "suggestions are valid names close to the given one",
        arguments: [
            ("My_App", false, "my-app"), ("My.App", false, "my-app"), ("My.App", true, "my.app"), ("--web--", false, "web"),
            ("Web Server 2", false, "web-server-2"), (String(repeating: "A", count: 70), false, String(repeating: "a", count: 63)),
            ("a" + String(repeating: "-", count: 62) + "b", false, "a-b"), ("web", false, nil), ("___", false, nil), ("a..b", true, nil),
        ] as [(String, Bool, String?)])
    func suggestions(name: String, allowingDots: Bool, suggestion: String?) {
        #expect(KubernetesName.suggestion(for: name, allowingDots: allowingDots) == suggestion)
    }
}

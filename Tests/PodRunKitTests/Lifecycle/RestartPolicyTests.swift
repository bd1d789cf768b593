import Testing
@testable import PodRunKit

@Suite("Restart policies")
struct RestartPolicyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var podPolicy: RestartPolicy
        var containerPolicy: RestartPolicy?
        var rules: [ContainerRestartRule] = []
        var exitCode: Int32
        var restarts: Bool
        var testDescription: String {
            "pod \(podPolicy.rawValue), container \(containerPolicy?.rawValue ?? "-")\(rules.isEmpty ? "" : " with rules"), exit \(exitCode) → \(restarts ? "restart" : "stay down")"
        }
    }

    static let restartOn42 = [ContainerRestartRule(exitCodes: ExitCodeRequirement(operator: .in, values: [42]))]
    static let restartUnless0or1 = [ContainerRestartRule(exitCodes: ExitCodeRequirement(operator: .notIn, values: [0, 1]))]

    static let cases: [Case] = [
        Case(podPolicy: .always, exitCode: 0, restarts: true),
        Case(podPolicy: .always, exitCode: 1, restarts: true),
        Case(podPolicy: .onFailure, exitCode: 0, restarts: false),
        Case(podPolicy: .onFailure, exitCode: 1, restarts: true),
        Case(podPolicy: .onFailure, exitCode: 137, restarts: true),
        Case(podPolicy: .never, exitCode: 0, restarts: false),
        Case(podPolicy: .never, exitCode: 1, restarts: false),
        Case(podPolicy: .always, containerPolicy: .never, exitCode: 1, restarts: false),
        Case(podPolicy: .never, containerPolicy: .always, exitCode: 0, restarts: true),
        Case(podPolicy: .always, containerPolicy: .onFailure, exitCode: 0, restarts: false),
        Case(podPolicy: .always, containerPolicy: .never, rules: restartOn42, exitCode: 42, restarts: true),
        Case(podPolicy: .always, containerPolicy: .never, rules: restartOn42, exitCode: 1, restarts: false),
        Case(podPolicy: .never, containerPolicy: .never, rules: restartUnless0or1, exitCode: 1, restarts: false),
        Case(podPolicy: .never, containerPolicy: .never, rules: restartUnless0or1, exitCode: 2, restarts: true),
    ]

    @Test("a regular container restarts per pod policy, container policy and rules", arguments: cases)
    func decision(_ testCase: Case) {
        let spec = Pods.pod(
            restartPolicy: testCase.podPolicy,
            containers: [Pods.container("app", restartPolicy: testCase.containerPolicy, rules: testCase.rules), Pods.container("other")])
        var pod = VirtualPod(spec)
        pod.behaviour["app"] = { instance in instance == 0 ? .runs(until: .seconds(1), exitCode: testCase.exitCode) : .runs() }
        pod.advance(by: .seconds(5))
        #expect(pod.times(of: "Started", container: "app").count == (testCase.restarts ? 2 : 1))
    }

    @Test("a container that never ran because its program is missing is retried with back-off")
    func startErrorRetried() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in VirtualPod.Behaviour(startFailure: "exec \"nope\": executable file not found in $PATH") }
        pod.advance(by: .seconds(35))
        #expect(pod.times(of: "StartFailed", container: "app") == [.seconds(0), .seconds(0), .seconds(10), .seconds(30)])
        #expect(pod.status.phase == .running)
    }
}

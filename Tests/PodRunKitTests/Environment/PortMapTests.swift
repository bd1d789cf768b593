import Testing

@testable import PodRunKit

@Suite struct PortMapTests {
    static let map = PortMap(mappings: [
        PortMapping(container: "web", name: "http", containerPort: 8080, hostPort: 50001),
        PortMapping(container: "web", name: "metrics", containerPort: 9090, hostPort: 50002),
        PortMapping(container: "log-shipper", containerPort: 24224, hostPort: 50003),
        PortMapping(container: "log-shipper", name: "admin", containerPort: 8080, hostPort: 50004, protocol: .udp),
        PortMapping(container: "proxy", name: "proxy-http", containerPort: 15001, hostPort: 50005),
        PortMapping(container: "proxy", containerPort: 9090, hostPort: 50006),
    ])

    struct Resolution: Sendable, CustomStringConvertible {
        let port: IntOrString
        let container: String
        let expected: Int32?
        var description: String { "\(port) from \(container)" }
    }

    @Test(arguments: [
        // Names: the container's own port of that name only.
        Resolution(port: .string("http"), container: "web", expected: 50001),
        Resolution(port: .string("metrics"), container: "web", expected: 50002),
        Resolution(port: .string("http"), container: "proxy", expected: nil),
        Resolution(port: .string("nope"), container: "web", expected: nil),
        // Numbers: this container's mapping, else any container's, else the number.
        Resolution(port: .int(9090), container: "web", expected: 50002),
        Resolution(port: .int(9090), container: "proxy", expected: 50006),
        Resolution(port: .int(9090), container: "log-shipper", expected: 50002),
        Resolution(port: .int(8080), container: "proxy", expected: 50001),
        Resolution(port: .int(8080), container: "log-shipper", expected: 50004),
        Resolution(port: .int(15001), container: "web", expected: 50005),
        Resolution(port: .int(7000), container: "web", expected: 7000),
    ])
    func resolves(_ r: Resolution) {
        #expect(Self.map.resolve(r.port, forContainer: r.container) == r.expected)
    }

    @Test func numbersPreferTCPMappings() {
        let map = PortMap(mappings: [
            PortMapping(container: "dns", containerPort: 53, hostPort: 40053, protocol: .udp),
            PortMapping(container: "dns", containerPort: 53, hostPort: 41053),
        ])
        #expect(map.resolve(.int(53), forContainer: "dns") == 41053)
    }

    @Test func environmentListsEveryPortOfEveryContainer() {
        #expect(Self.map.environment == [
            "PODRUN_PORT_WEB_HTTP": "50001",
            "PODRUN_PORT_WEB_METRICS": "50002",
            "PODRUN_PORT_LOG_SHIPPER_24224": "50003",
            "PODRUN_PORT_LOG_SHIPPER_ADMIN": "50004",
            "PODRUN_PORT_PROXY_PROXY_HTTP": "50005",
            "PODRUN_PORT_PROXY_9090": "50006",
        ])
    }

    @Test func sameUnnamedPortOverTwoProtocolsGetsTheProtocolAppended() {
        let map = PortMap(mappings: [
            PortMapping(container: "dns", containerPort: 53, hostPort: 41053),
            PortMapping(container: "dns", containerPort: 53, hostPort: 40053, protocol: .udp),
        ])
        #expect(map.environment == ["PODRUN_PORT_DNS_53": "41053", "PODRUN_PORT_DNS_53_UDP": "40053"])
    }

    @Test func firstPortIsTheFirstDeclared() {
        #expect(Self.map.firstPort(of: "web") == 50001)
        #expect(Self.map.firstPort(of: "log-shipper") == 50003)
        #expect(Self.map.firstPort(of: "none") == nil)
    }
}

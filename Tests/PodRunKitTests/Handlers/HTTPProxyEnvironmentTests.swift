import Foundation
import Testing
@testable import PodRunHTTP

@Suite struct HTTPProxyEnvironmentTests {
    #if canImport(FoundationNetworking)
    @Test func libcurlVariablesApplyUnlessNoProxyCoversTheHost() throws {
        let url = try #require(URL(string: "http://127.0.0.1:8080/healthz"))
        let secure = try #require(URL(string: "https://localhost:8443/"))
        #expect(HTTPProxyEnvironment(environment: [:]).proxy(for: url) == nil)
        // Only the lower-case http_proxy counts for http, as in libcurl.
        #expect(HTTPProxyEnvironment(environment: ["HTTP_PROXY": "http://p:1"]).proxy(for: url) == nil)
        #expect(HTTPProxyEnvironment(environment: ["http_proxy": "http://p:1"]).proxy(for: url) == "http://p:1")
        #expect(HTTPProxyEnvironment(environment: ["HTTPS_PROXY": "http://p:2"]).proxy(for: secure) == "http://p:2")
        #expect(HTTPProxyEnvironment(environment: ["all_proxy": "socks5://p:3"]).proxy(for: url) == "socks5://p:3")
        let excluded = HTTPProxyEnvironment(environment: ["http_proxy": "http://p:1", "https_proxy": "http://p:1", "no_proxy": "example.com, 127.0.0.1,.example.org"])
        #expect(excluded.proxy(for: url) == nil)
        #expect(excluded.proxy(for: try #require(URL(string: "http://api.example.org/"))) == nil)
        #expect(excluded.proxy(for: secure) == "http://p:1")
        #expect(HTTPProxyEnvironment(environment: ["http_proxy": "http://p:1", "NO_PROXY": "*"]).proxy(for: url) == nil)
        #expect(
            HTTPProxyEnvironment(environment: ["http_proxy": "http://p:1"]).hint(for: url)
                == " (sent through the proxy http://p:1 from podrun's environment; add 127.0.0.1 to no_proxy)")
    }
    #else
    @Test func foundationHonoursTheSessionSettingElsewhere() throws {
        let url = try #require(URL(string: "http://127.0.0.1:8080/healthz"))
        #expect(HTTPProxyEnvironment(environment: ["http_proxy": "http://p:1"]).proxy(for: url) == nil)
    }
    #endif
}

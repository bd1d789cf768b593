import Foundation

/// The proxy variables of podrun's own environment, as libcurl reads them.
///
/// The kubelet's prober never uses a proxy, and on macOS `URLSessionConfiguration`'s empty
/// `connectionProxyDictionary` says the same. Foundation on Linux ignores that setting, and libcurl
/// below it honours `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` from the environment,
/// even for 127.0.0.1. podrun cannot turn that off per request (changing its own environment would
/// leak into every container), so it says so: a failed httpGet sent through a proxy names it.
struct HTTPProxyEnvironment: Sendable {
    /// Proxy URL per scheme ("http", "https"), after libcurl's precedence.
    private var proxies: [String: String] = [:]
    /// `no_proxy` entries, lower-cased, leading dots removed.
    private var exclusions: [String] = []

    /// Reads `environment` as libcurl does on Linux; empty (no proxy) elsewhere.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        #if canImport(FoundationNetworking)
        func value(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        // libcurl reads only the lower-case http_proxy (the upper-case one can be set by CGI).
        let all = value("all_proxy", "ALL_PROXY")
        proxies["http"] = value("http_proxy") ?? all
        proxies["https"] = value("https_proxy", "HTTPS_PROXY") ?? all
        exclusions = (value("no_proxy", "NO_PROXY") ?? "")
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
            .filter { !$0.isEmpty }
        #endif
    }

    /// The variable and proxy a request to `url` goes through, or nil when it goes direct.
    func proxy(for url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), let proxy = proxies[scheme] else { return nil }
        let host = (url.host ?? "").lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for entry in exclusions {
            if entry == "*" || host == entry || host.hasSuffix("." + entry) { return nil }
        }
        return proxy
    }

    /// ` (sent through the proxy http://proxy:3128 from podrun's environment; add 127.0.0.1 to no_proxy)`,
    /// or "" when the request went direct.
    func hint(for url: URL) -> String {
        guard let proxy = proxy(for: url) else { return "" }
        let host = url.host ?? "the host"
        return " (sent through the proxy \(proxy) from podrun's environment; add \(host) to no_proxy)"
    }
}

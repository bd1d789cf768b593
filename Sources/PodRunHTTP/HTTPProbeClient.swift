import Foundation
import PodRunKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The one `URLSession` that every httpGet probe and hook of a `ProbeExecutor` uses. Creating a
/// session is far dearer than a request, and probes run every second, so it is made once.
///
/// Configured as the kubelet's prober transport is: no proxy, no cache, no cookies, and (through
/// `Connection: close` on each request) no keep-alive, so every probe opens a fresh connection and
/// sees a server that stopped accepting. Events go to `HTTPSessionDelegate`, which hands them to
/// the `HTTPExchange` that started the task.
final class HTTPProbeClient: Sendable {
    let session: URLSession
    let delegate: HTTPSessionDelegate
    /// Read once: proxy variables that Foundation on Linux applies whatever the configuration says.
    let proxies = HTTPProxyEnvironment()

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCredentialStorage = nil
        // An empty dictionary means "no proxy" (not "the system's"), as for the kubelet's prober.
        // Foundation on Linux ignores it and libcurl reads http_proxy & co.: see HTTPProxyEnvironment.
        configuration.connectionProxyDictionary = [:]
        // Each probe is one request on its own connection; a hung server must not make the probes
        // of other containers (on the same host, 127.0.0.1) queue behind it.
        configuration.httpMaximumConnectionsPerHost = 1024
        // Deadlines are the operations' own (HandlerOperation.run); these are only backstops.
        configuration.timeoutIntervalForRequest = HTTPExchange.idleBackstop
        configuration.timeoutIntervalForResource = HTTPExchange.idleBackstop
        delegate = HTTPSessionDelegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit {
        // The session keeps its delegate (and itself) alive until invalidated.
        session.invalidateAndCancel()
    }

    /// Starts `request`, reporting its events to `operation`; returns the task, to cancel it.
    func start(_ request: URLRequest, for operation: HTTPExchange) -> URLSessionDataTask {
        let task = session.dataTask(with: request)
        delegate.register(operation, for: task.taskIdentifier)
        task.resume()
        return task
    }
}

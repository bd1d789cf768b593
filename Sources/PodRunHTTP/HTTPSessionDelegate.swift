import Foundation
import PodRunKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Receives the shared session's events and hands each to the `HTTPExchange` whose task it
/// concerns. A session-wide delegate (rather than per-task delegates, which Foundation on Linux
/// lacks) looked up by task identifier.
final class HTTPSessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let operations = Locked([Int: HTTPExchange]())

    func register(_ operation: HTTPExchange, for taskIdentifier: Int) {
        operations.withLock { $0[taskIdentifier] = operation }
    }

    /// Tasks not completed yet (for tests: nothing may stay registered).
    var registeredCount: Int { operations.withLock { $0.count } }

    private func operation(for task: URLSessionTask) -> HTTPExchange? {
        operations.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(operation(for: task)?.redirect(to: request, from: response))
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        operation(for: dataTask)?.received(response)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let operation = operation(for: dataTask) else { return }
        if !operation.received(byteCount: data.count) { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let operation = operations.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        operation?.completed(error: error)
    }

    #if !canImport(FoundationNetworking)
    /// HTTPS probes skip certificate verification, as the kubelet's do (it is checking health, not
    /// identity). Foundation on Linux never asks (it always verifies): see docs/probes-and-hooks.md.
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust,
            let trust = challenge.protectionSpace.serverTrust
        {
            completionHandler(.useCredential, URLCredential(trust: trust))
        } else {
            completionHandler(.performDefaultHandling, nil)
        }
    }
    #endif
}

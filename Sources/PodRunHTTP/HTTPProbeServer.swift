import Foundation
import PodRunKit

/// The `podrun-http` helper's loop: reads `HTTPProbeRequest` lines from standard input, makes each
/// request with the shared URLSession, writes an `HTTPProbeResponse` line to standard output when
/// it ends. Exits when standard input ends, which is when podrun exits (or dies): the pipe is the
/// helper's lifeline.
public final class HTTPProbeServer: Sendable {
    private let client = HTTPProbeClient()
    private let exchanges = Locked([UInt64: HTTPExchange]())
    /// One writer at a time, so response lines never mix.
    private let output = Locked(FileHandle.standardOutput)

    public init() {}

    /// Serves until standard input ends; never returns.
    public func run() -> Never {
        let input = FileHandle.standardInput
        var pending: [UInt8] = []
        let decoder = JSONDecoder()
        while true {
            let chunk = input.availableData
            if chunk.isEmpty { exit(0) }
            pending += chunk
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(pending[..<newline])
                pending.removeSubrange(...newline)
                guard let request = try? decoder.decode(HTTPProbeRequest.self, from: line) else { continue }
                handle(request)
            }
        }
    }

    private func handle(_ request: HTTPProbeRequest) {
        if request.cancel == true {
            exchanges.withLock { $0[request.id] }?.cancel()
            return
        }
        guard let text = request.url, let url = URL(string: text) else {
            respond(HTTPProbeResponse(id: request.id, outcome: .failed, detail: "not a valid URL"))
            return
        }
        let headers = (request.headers ?? []).compactMap { pair in pair.count == 2 ? (name: pair[0], value: pair[1]) : nil }
        let exchange = HTTPExchange(client: client, url: url, headers: headers, anyStatusSucceeds: request.anyStatus ?? false)
        exchanges.withLock { $0[request.id] = exchange }
        exchange.start { [self] result in
            exchanges.withLock { $0[request.id] = nil }
            switch result {
            case .succeeded(let note): respond(HTTPProbeResponse(id: request.id, outcome: .succeeded, detail: note))
            case .failed(let detail): respond(HTTPProbeResponse(id: request.id, outcome: .failed, detail: detail))
            case .cancelled: respond(HTTPProbeResponse(id: request.id, outcome: .cancelled))
            }
        }
    }

    private func respond(_ response: HTTPProbeResponse) {
        guard var line = try? JSONEncoder().encode(response) else { return }
        line.append(UInt8(ascii: "\n"))
        output.withLock { $0.write(line) }
    }
}

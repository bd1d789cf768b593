/// A complete HTTP/1.1 response, serialized with `Content-Length` and `Connection: close`: one
/// request per connection keeps the server trivially correct and probes never reuse connections
/// anyway.
struct HTTPResponse {
    let status: Int
    let contentType: String
    let body: [UInt8]
    var extraHeaders: [(name: String, value: String)] = []

    /// A short plain-text body such as `ok`, with a trailing newline for `curl`.
    static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8))
    }

    /// The bytes to send; HEAD requests get the same headers without the body.
    func serialized(includingBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(for: status))\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\n"
        for header in extraHeaders {
            head += "\(header.name): \(header.value)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if includingBody { bytes += body }
        return bytes
    }

    private static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

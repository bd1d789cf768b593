import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory `serve` publishes (`--dir`), and the mapping from a request path to a file in
/// it. The one rule that matters for safety: after percent-decoding, a path with a `..` segment
/// is refused outright, so no request can name a file outside the directory.
struct StaticFileRoot: Sendable {
    /// Where a request path leads.
    enum Resolution: Equatable {
        case file(String)
        case notFound
        case forbidden
        case badRequest
    }

    let directory: String

    /// Maps `/`, `/a/b.html` or `/docs/` (a directory means its `index.html`) to a regular file.
    func resolve(_ path: String) -> Resolution {
        guard let decoded = path.removingPercentEncoding, !decoded.contains("\0") else { return .badRequest }
        let segments = decoded.split(separator: "/")
        if segments.contains("..") { return .forbidden }
        var candidate = ([directory] + segments.filter { $0 != "." }.map(String.init)).joined(separator: "/")
        if Self.isDirectory(candidate) {
            candidate += "/index.html"
        }
        return Self.isRegularFile(candidate) ? .file(candidate) : .notFound
    }

    /// A Content-Type for the file's extension; enough for the demo pages and their assets.
    static func contentType(for path: String) -> String {
        let types = [
            "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
            "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
            "json": "application/json", "txt": "text/plain; charset=utf-8", "svg": "image/svg+xml",
            "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
            "ico": "image/x-icon",
        ]
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        return types[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }
}

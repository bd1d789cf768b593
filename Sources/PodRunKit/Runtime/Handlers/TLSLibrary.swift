#if os(Linux)
import Glibc

/// TLS for HTTPS probes and hooks on Linux: the system's OpenSSL (libssl 3 or 1.1), loaded with
/// `dlopen` the first time an HTTPS handler runs, so podrun neither links it nor maps it unless a
/// pod asks for HTTPS.
///
/// Certificates are not verified (`SSL_VERIFY_NONE`), as the kubelet's prober does not verify
/// them: a probe checks health, not identity. The server name goes out (SNI) for host names.
final class TLSLibrary: @unchecked Sendable {
    // `@unchecked Sendable` is sound: every stored property is immutable after `init`; the
    // functions are OpenSSL's, and an `SSL_CTX` may be shared by threads creating sessions.

    /// The library, or why there is none.
    static let shared: Result<TLSLibrary, TLSError> = load()

    struct TLSError: Error { let message: String }

    typealias Pointer = OpaquePointer
    let sslNew: @convention(c) (Pointer?) -> Pointer?
    let sslFree: @convention(c) (Pointer?) -> Void
    let sslSetFD: @convention(c) (Pointer?, Int32) -> Int32
    let sslCtrl: @convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let sslConnect: @convention(c) (Pointer?) -> Int32
    let sslRead: @convention(c) (Pointer?, UnsafeMutableRawPointer?, Int32) -> Int32
    let sslWrite: @convention(c) (Pointer?, UnsafeRawPointer?, Int32) -> Int32
    let sslGetError: @convention(c) (Pointer?, Int32) -> Int32
    let errGetError: @convention(c) () -> UInt
    let errClearError: @convention(c) () -> Void
    let errErrorStringN: @convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void
    let context: Pointer

    private init(symbols: [String: UnsafeMutableRawPointer], context: Pointer) {
        func function<T>(_ name: String, _: T.Type) -> T { unsafeBitCast(symbols[name]!, to: T.self) }
        sslNew = function("SSL_new", (@convention(c) (Pointer?) -> Pointer?).self)
        sslFree = function("SSL_free", (@convention(c) (Pointer?) -> Void).self)
        sslSetFD = function("SSL_set_fd", (@convention(c) (Pointer?, Int32) -> Int32).self)
        sslCtrl = function("SSL_ctrl", (@convention(c) (Pointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int).self)
        sslConnect = function("SSL_connect", (@convention(c) (Pointer?) -> Int32).self)
        sslRead = function("SSL_read", (@convention(c) (Pointer?, UnsafeMutableRawPointer?, Int32) -> Int32).self)
        sslWrite = function("SSL_write", (@convention(c) (Pointer?, UnsafeRawPointer?, Int32) -> Int32).self)
        sslGetError = function("SSL_get_error", (@convention(c) (Pointer?, Int32) -> Int32).self)
        errGetError = function("ERR_get_error", (@convention(c) () -> UInt).self)
        errClearError = function("ERR_clear_error", (@convention(c) () -> Void).self)
        errErrorStringN = function("ERR_error_string_n", (@convention(c) (UInt, UnsafeMutablePointer<CChar>?, Int) -> Void).self)
        self.context = context
    }

    private static let names = [
        "SSL_new", "SSL_free", "SSL_set_fd", "SSL_ctrl", "SSL_connect", "SSL_read", "SSL_write", "SSL_get_error",
        "ERR_get_error", "ERR_clear_error", "ERR_error_string_n", "TLS_client_method", "SSL_CTX_new", "SSL_CTX_set_verify",
    ]

    private static func load() -> Result<TLSLibrary, TLSError> {
        let candidates: [String] = ["libssl.so.3", "libssl.so.1.1", "libssl.so"]
        guard let handle = candidates.lazy.compactMap({ (name: String) in dlopen(name, RTLD_NOW | RTLD_LOCAL) }).first else {
            return .failure(TLSError(message: "HTTPS needs OpenSSL's libssl (3 or 1.1), which is not installed"))
        }
        var symbols: [String: UnsafeMutableRawPointer] = [:]
        for name in names {
            guard let symbol = dlsym(handle, name) else {
                return .failure(TLSError(message: "HTTPS needs OpenSSL's libssl (3 or 1.1); the one found lacks \(name)"))
            }
            symbols[name] = symbol
        }
        let method = unsafeBitCast(symbols["TLS_client_method"]!, to: (@convention(c) () -> Pointer?).self)
        let contextNew = unsafeBitCast(symbols["SSL_CTX_new"]!, to: (@convention(c) (Pointer?) -> Pointer?).self)
        let setVerify = unsafeBitCast(symbols["SSL_CTX_set_verify"]!, to: (@convention(c) (Pointer?, Int32, UnsafeMutableRawPointer?) -> Void).self)
        guard let context = contextNew(method()) else {
            return .failure(TLSError(message: "HTTPS: OpenSSL could not create a TLS context"))
        }
        setVerify(context, 0 /* SSL_VERIFY_NONE */, nil)
        return .success(TLSLibrary(symbols: symbols, context: context))
    }

    /// The oldest queued OpenSSL error as text (`error:0A00010B:SSL routines::wrong version
    /// number`), or nil; clears the queue.
    func errorText() -> String? {
        let code = errGetError()
        defer { errClearError() }
        guard code != 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: 256)
        errErrorStringN(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One TLS client connection over a connected non-blocking socket (which stays the caller's).
/// Used from one queue at a time.
final class TLSSession {
    private let library: TLSLibrary
    private let ssl: OpaquePointer

    init?(library: TLSLibrary, fd: Int32, serverName: String?) {
        guard let ssl = library.sslNew(library.context) else { return nil }
        self.library = library
        self.ssl = ssl
        _ = library.sslSetFD(ssl, fd)
        if let serverName {
            // SSL_set_tlsext_host_name: SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name)
            _ = serverName.withCString { library.sslCtrl(ssl, 55, 0, UnsafeMutableRawPointer(mutating: $0)) }
        }
    }

    deinit { library.sslFree(ssl) }

    func handshake() -> SocketIO {
        library.errClearError()
        return outcome(library.sslConnect(ssl), partialIsDone: false)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> SocketIO {
        library.errClearError()
        return outcome(library.sslWrite(ssl, bytes.baseAddress, Int32(clamping: bytes.count)), partialIsDone: true)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> SocketIO {
        library.errClearError()
        return outcome(library.sslRead(ssl, buffer.baseAddress, Int32(clamping: buffer.count)), partialIsDone: true)
    }

    private func outcome(_ rc: Int32, partialIsDone: Bool) -> SocketIO {
        if rc > 0 { return .done(partialIsDone ? Int(rc) : 0) }
        let savedErrno = errno
        switch library.sslGetError(ssl, rc) {
        case 2: return .wantRead  // SSL_ERROR_WANT_READ
        case 3: return .wantWrite  // SSL_ERROR_WANT_WRITE
        case 6: return .endOfStream  // SSL_ERROR_ZERO_RETURN
        case 5:  // SSL_ERROR_SYSCALL
            if let text = library.errorText() { return .failed(text) }
            return savedErrno == 0 ? .endOfStream : .failed(HandlerText.errno(savedErrno))
        default:
            return .failed(library.errorText() ?? "TLS error")
        }
    }
}
#endif

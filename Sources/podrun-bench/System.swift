#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The benchmark deliberately does not import Foundation (and is linked with the Swift runtime
// statically on Linux): a process that maps the same shared libraries as podrun would share
// their pages with it and make podrun's PSS look smaller than it is.

/// Seconds on the monotonic clock.
func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Seconds since the epoch (for comparing with `date +%s.%N` and event times).
func wallNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func pause(_ seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: Files

func readBytes(_ path: String, limit: Int = Int.max) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while result.count < limit {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        result.append(contentsOf: chunk[0..<n])
    }
    return result
}

func readText(_ path: String) -> String? {
    readBytes(path).map { String(decoding: $0, as: UTF8.self) }
}

func writeText(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw BenchError("cannot write \(path): \(String(cString: strerror(errno)))") }
        offset += n
    }
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

func makeDirectory(_ path: String) throws {
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))")
    }
}

/// Names in a directory, without `.` and `..`.
func listDirectory(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// The number of entries in a directory (cheaper than `listDirectory` in polling loops).
func countEntries(_ path: String) -> Int {
    guard let dir = opendir(path) else { return 0 }
    defer { closedir(dir) }
    var count = 0
    while readdir(dir) != nil { count += 1 }
    return max(0, count - 2)
}

func removeTree(_ path: String) {
    guard path.count > 5, let pid = try? spawn(["rm", "-rf", path]) else { return }
    _ = waitForExit(pid)
}

func makeTemporaryDirectory(prefix: String) throws -> String {
    let base = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
    var template = Array("\(base)/\(prefix)XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
        throw BenchError("cannot create a temporary directory under \(base)")
    }
    return cString(template)
}

/// The text of a NUL-terminated C buffer.
func cString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// The absolute form of `path` (relative to the current directory), without resolving symlinks.
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    return cString(buffer) + "/" + path
}

// MARK: Processes

/// The environment of this process, plus `extra` (which wins).
func environment(adding extra: [String: String] = [:]) -> [String] {
    var result: [String] = []
    var index = 0
    #if canImport(Darwin)
    let environ = _NSGetEnviron().pointee!
    #endif
    while let entry = environ[index] {
        let text = String(cString: entry)
        let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
        if extra[name] == nil { result.append(text) }
        index += 1
    }
    for (name, value) in extra { result.append("\(name)=\(value)") }
    return result
}

/// Starts `argv` (looked up in PATH), stdin from /dev/null, stdout/stderr to files (or inherited).
func spawn(
    _ argv: [String], environment env: [String]? = nil, stdout: String? = nil, stderr: String? = nil,
    directory: String? = nil, newProcessGroup: Bool = false
) throws -> pid_t {
    #if canImport(Darwin)
    var attributes: posix_spawnattr_t?
    var actions: posix_spawn_file_actions_t?
    #else
    var attributes = posix_spawnattr_t()
    var actions = posix_spawn_file_actions_t()
    #endif
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    if newProcessGroup {
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
    }
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
    if let stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
    var program = argv
    if let directory {
        // posix_spawn_file_actions_addchdir_np is not everywhere: go through sh.
        program = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + argv
    }
    let cArgs = program.map { strdup($0) } + [nil]
    let cEnv = (env ?? environment()).map { strdup($0) } + [nil]
    defer {
        for pointer in cArgs { free(pointer) }
        for pointer in cEnv { free(pointer) }
    }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, program[0], &actions, &attributes, cArgs, cEnv)
    guard rc == 0 else { throw BenchError("cannot start \(program[0]): \(String(cString: strerror(rc)))") }
    return pid
}

/// Non-blocking: the wait status if `pid` has exited (and is now reaped).
func reapIfExited(_ pid: pid_t) -> Int32? {
    var status: Int32 = 0
    let r = waitpid(pid, &status, WNOHANG)
    return r == pid ? status : nil
}

/// Waits up to `timeout` seconds; nil when it did not exit.
@discardableResult
func waitForExit(_ pid: pid_t, timeout: Double = 600, poll: Double = 0.001) -> Int32? {
    let deadline = monotonicNow() + timeout
    while monotonicNow() < deadline {
        if let status = reapIfExited(pid) { return status }
        pause(poll)
    }
    return nil
}

/// The exit code a shell would show for a wait status.
func exitCode(_ status: Int32) -> Int32 {
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}

/// Runs a command to completion; its exit code.
@discardableResult
func runCommand(_ argv: [String], stdout: String? = nil, stderr: String? = nil, timeout: Double = 600) throws -> Int32 {
    let pid = try spawn(argv, stdout: stdout, stderr: stderr)
    guard let status = waitForExit(pid, timeout: timeout) else {
        kill(pid, SIGKILL)
        waitForExit(pid)
        throw BenchError("\(argv.joined(separator: " ")) did not finish within \(Int(timeout)) s")
    }
    return exitCode(status)
}

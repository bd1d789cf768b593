#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts `podrun-shim` with `posix_spawn` and reaps it.
///
/// Not `Foundation.Process`: on Linux its `run()` lists `/proc/self/fd` to close every other
/// descriptor, which makes a start cost O(open descriptors) — O(n²) for n containers, each with
/// two pipes and a socket — and it is not safe to call concurrently, so starts were serialised
/// behind a lock. Here every descriptor podrun opens is close-on-exec anyway, and the spawn
/// closes whatever else is above 2 in one step (`addclosefrom_np`, or Darwin's
/// `POSIX_SPAWN_CLOEXEC_DEFAULT`): only the control socket and the output reach the shim.
///
/// The shim starts with an empty signal mask and default dispositions, whichever thread (a Swift
/// concurrency thread blocks every signal) started it.
enum ShimSpawn {
    static func spawn(
        path: String, arguments: [String], environment: [String: String],
        standardInput: Int32, standardOutput: Int32, standardError: Int32
    ) throws(LaunchFailure) -> pid_t {
        #if canImport(Darwin)
        var attributes: posix_spawnattr_t?
        var actions: posix_spawn_file_actions_t?
        #else
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)

        posix_spawn_file_actions_adddup2(&actions, standardInput, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError, 2)
        #if os(Linux)
        // Every descriptor podrun opens is close-on-exec; this also covers any a library opened
        // without the flag. Without closefrom (glibc < 2.34) close-on-exec alone has to do.
        if let closeFrom = closeFromFunction { _ = closeFrom(&actions, 3) }
        #endif

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw LaunchFailure(message: "cannot start podrun-shim \"\(path)\": \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// Waits for the shim to end (it is exiting: callers wait only after its control socket
    /// reached EOF) and returns its status as a runtime reports it.
    static func reap(_ pid: pid_t) -> ProcessExit {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, 0)
            if r == pid { break }
            if r < 0 && errno == EINTR { continue }
            return ProcessExit(exitCode: 255)  // already reaped by someone else: nothing known
        }
        let signal = status & 0x7f
        return signal == 0 ? ProcessExit(exitCode: (status >> 8) & 0xff) : .killed(by: signal)
    }

    #if os(Linux)
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc ≥ 2.34), hidden by Glibc's module map
    /// (it needs _GNU_SOURCE): looked up once at run time.
    private static let closeFromFunction: CloseFrom? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()
    #endif
}

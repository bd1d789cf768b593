import Foundation

/// Rewrites a container's view of its volumes into real directories.
///
/// A process cannot see a volume at its `mountPath` (podrun changes no file system namespaces), so
/// wherever the container's spec names a path under one of its mounts, podrun substitutes the
/// directory that holds the volume. The Supervisor applies it to `command`, `args`, `env` values,
/// `workingDir` and exec probe and hook commands; `ContainerEnvironment` does the first four.
///
/// A path is rewritten where it starts with a mount path on a component boundary (`/shared` and
/// `/shared/x` for the mount `/shared`, never `/sharedx`); with nested mounts the longest mount path
/// wins. Inside a longer string, such as a shell script, a path is recognised only where it begins
/// the string or follows a delimiter (`whitespace = : ' " ( > < | ; , \``) and ends at the end, at
/// `/`, or at a character that cannot continue a path in a command line (`whitespace ' " \` ; ) | &
/// < > , : }`). So `sh -c "tail -F /var/log/app/app.log"` and `--log=/var/log/app/x` are rewritten
/// and `/x/shared/y` or `http://h/shared` are not.
///
/// Translation is idempotent: text that already starts with a volume's directory is left alone
/// (unless a longer mount path matches there), so a value translated once (an `env` value) can be
/// substituted into another (`$(LOG_PATH)` in `args`) and translated again without harm, even when a
/// mount path is a prefix of the run directory (a mount at `/home`, the run directory in `/home/me`).
/// A mount at `/` is not translated: it would claim every absolute path.
public struct MountPathTranslator: Sendable {
    /// One mount of the container, resolved to the directory that stands for its `mountPath`.
    public struct Mount: Sendable, Hashable, Codable {
        /// The volume's name (for `PODRUN_VOLUME_<NAME>`).
        public var volume: String
        /// The mount path, normalised: no trailing slash, no empty or `.` components (`/` stays `/`).
        public var mountPath: String
        /// The real directory: the volume's, or its `subPath` below it.
        public var directory: String

        public init(volume: String, mountPath: String, directory: String) {
            self.volume = volume
            self.mountPath = MountPathTranslator.normalize(mountPath)
            self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        }
    }

    /// The container's mounts in the order the spec declares them.
    public let mounts: [Mount]
    /// Mount paths, longest first, as bytes: the first that matches is the longest match.
    private let patterns: [(path: [UInt8], directory: [UInt8])]
    /// Directories that already are translations, longest first (for idempotence).
    private let translated: [[UInt8]]

    /// The mounts of one container over the pod's materialised volumes (a `subPath` mount maps to
    /// the sub-directory `PodVolumes.create` made for it). Mounts of unknown volumes are skipped;
    /// validation has already rejected them.
    public init(mounts: [VolumeMount], volumes: PodVolumes) {
        self.init(resolved: mounts.compactMap { mount in
            guard !mount.mountPath.isEmpty, let directory = volumes.directory(for: mount) else { return nil }
            return Mount(volume: mount.name, mountPath: mount.mountPath, directory: directory.path)
        })
    }

    /// Mounts already resolved to directories (tests, tools, or a Supervisor that keeps its own).
    public init(resolved mounts: [Mount]) {
        self.mounts = mounts
        // A mount at `/` (which container runtimes refuse anyway) would claim every absolute path,
        // URLs' `//` included, so it is not translated; its PODRUN_VOLUME_ variable still exists.
        patterns = mounts.filter { $0.mountPath.hasPrefix("/") && $0.mountPath != "/" }
            .sorted { $0.mountPath.utf8.count > $1.mountPath.utf8.count }
            .map { (Array($0.mountPath.utf8), Array($0.directory.utf8)) }
        translated = Set(mounts.map(\.directory)).filter { $0 != "/" }.map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    /// `PODRUN_VOLUME_<NAME>` → the directory of each mount (the first mount wins when one volume is
    /// mounted twice), so programs and scripts can find a volume without knowing the translation.
    public var environment: [String: String] {
        var variables: [String: String] = [:]
        for mount in mounts {
            let key = "PODRUN_VOLUME_" + EnvironmentVariableName.component(mount.volume)
            if variables[key] == nil { variables[key] = mount.directory }
        }
        return variables
    }

    /// Rewrites every occurrence of a mount path in `text` (see the type's documentation).
    public func translate(_ text: String) -> String {
        guard !patterns.isEmpty, text.utf8.contains(Self.slash) else { return text }
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + 64)
        var index = 0
        var changed = false
        while index < input.count {
            let byte = input[index]
            if byte == Self.slash, index == 0 || Self.startsAfter.contains(input[index - 1]) {
                // The longest match wins, between mount paths and directories already translated
                // to: `/home/me/run/volumes/v` stays (mount `/home`), while `/data/cache` is still
                // the mount `/data/cache` when a hostPath volume's directory is `/data`.
                let done = translated.first(where: { Self.matches($0, in: input, at: index) })?.count ?? 0
                let pattern = patterns.first(where: { Self.matches($0.path, in: input, at: index) })
                if done > 0, done >= pattern?.path.count ?? 0 {
                    output.append(contentsOf: input[index..<(index + done)])
                    index += done
                    continue
                }
                if let pattern {
                    index += pattern.path.count
                    // A hostPath of `/`: `/host/etc` becomes `/etc`, not `//etc`.
                    let rootBeforeSlash = pattern.directory == [Self.slash] && index < input.count && input[index] == Self.slash
                    if !rootBeforeSlash { output.append(contentsOf: pattern.directory) }
                    changed = true
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    /// Translates each element of a command line (exec probes and hooks: translated, never expanded).
    public func translate(_ argv: [String]) -> [String] {
        argv.map { translate($0) }
    }

    /// Whether `input` holds `prefix` at `index`, followed by the end, a `/` or a terminator.
    private static func matches(_ prefix: [UInt8], in input: [UInt8], at index: Int) -> Bool {
        let end = index + prefix.count
        guard !prefix.isEmpty, end <= input.count else { return false }
        for offset in 0..<prefix.count where input[index + offset] != prefix[offset] { return false }
        return end == input.count || input[end] == slash || endsBefore.contains(input[end])
    }

    /// `/a//b/./c/` → `/a/b/c`; `/` and `//` → `/`.
    static func normalize(_ path: String) -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard path.hasPrefix("/") else { return components.joined(separator: "/") }
        return "/" + components.joined(separator: "/")
    }

    private static let slash = UInt8(ascii: "/")
    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
    /// Characters after which a path may begin inside a longer string.
    private static let startsAfter: Set<UInt8> = whitespace.union("=:'\"(><|;,`".utf8)
    /// Characters that end a path component in a command line or script.
    private static let endsBefore: Set<UInt8> = whitespace.union("'\"`;)|&<>,:}".utf8)
}

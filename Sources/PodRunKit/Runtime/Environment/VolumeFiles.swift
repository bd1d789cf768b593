import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations volumes need, done with `lstat` so that a symbolic link a
/// container leaves in a volume is never followed out of it (by removal or by usage counting).
enum VolumeFiles {
    enum Kind: Equatable {
        case directory, regularFile, symbolicLink, socket, characterDevice, blockDevice, other
    }

    struct Entry {
        var kind: Kind
        var owner: uid_t
        var device: UInt64
        var inode: UInt64
        var linkCount: UInt64
        /// Bytes the file occupies (`st_blocks` × 512).
        var allocated: Int64
        /// The file's length (`st_size`).
        var size: Int64
    }

    /// What is at `path` itself (a link is reported as a link); nil when nothing is.
    static func entry(at path: String) -> Entry? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let kind: Kind
        switch mode_t(info.st_mode) & mode_t(S_IFMT) {
        case mode_t(S_IFDIR): kind = .directory
        case mode_t(S_IFREG): kind = .regularFile
        case mode_t(S_IFLNK): kind = .symbolicLink
        case mode_t(S_IFSOCK): kind = .socket
        case mode_t(S_IFCHR): kind = .characterDevice
        case mode_t(S_IFBLK): kind = .blockDevice
        default: kind = .other
        }
        return Entry(
            kind: kind, owner: info.st_uid, device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
            linkCount: UInt64(truncatingIfNeeded: info.st_nlink), allocated: Int64(info.st_blocks) * 512, size: Int64(info.st_size))
    }

    /// The names in a directory (without `.` and `..`); empty when it cannot be read.
    static func names(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    /// Creates one directory with exactly `mode` (whatever the umask); throws the errno text.
    static func makeDirectory(_ path: String, mode: mode_t) throws(FileError) {
        guard mkdir(path, mode) == 0 else { throw FileError(errno: errno) }
        guard chmod(path, mode) == 0 else { throw FileError(errno: errno) }
    }

    /// Creates a directory and any missing parents (default permissions for the parents).
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileError) {
        if entry(at: path)?.kind == .directory { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, entry(at: parent) == nil {
            try makeDirectories(parent)
        }
        if mkdir(path, mode) != 0, errno != EEXIST { throw FileError(errno: errno) }
    }

    /// Deletes `path` and everything below it without following links. Directories a container
    /// made read-only (`chmod 500`) are opened up first, as `rm -rf` cannot. Returns the first
    /// failure, or nil when everything is gone (or nothing was there).
    @discardableResult
    static func removeTree(_ path: String) -> String? {
        guard let entry = entry(at: path) else { return nil }
        if entry.kind != .directory {
            return unlink(path) == 0 || errno == ENOENT ? nil : "\(path): \(FileError(errno: errno))"
        }
        _ = chmod(path, 0o700)
        var failure: String?
        for name in names(in: path) {
            if let problem = removeTree(path + "/" + name), failure == nil { failure = problem }
        }
        if rmdir(path) != 0, errno != ENOENT, failure == nil {
            failure = "\(path): \(FileError(errno: errno))"
        }
        return failure
    }

    /// Empties a directory, keeping it.
    static func removeContents(of directory: String) -> String? {
        var failure: String?
        for name in names(in: directory) {
            if let problem = removeTree(directory + "/" + name), failure == nil { failure = problem }
        }
        return failure
    }

    /// The canonical absolute path (links resolved), or nil when `path` does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// An `errno` as `strerror` words it.
    struct FileError: Error, CustomStringConvertible {
        var code: Int32
        init(errno code: Int32) { self.code = code }
        var description: String { String(cString: strerror(code)) }
    }
}

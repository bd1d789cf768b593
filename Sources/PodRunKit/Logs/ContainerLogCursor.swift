import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reading position in one container's logs: which instance, which file, how far.
///
/// `podrun logs` reads an instance's rotated parts and current file in order, and with `-f`
/// keeps the current file open and polls it. Keeping the descriptor open is what makes rotation
/// safe: the writer closes a file before renaming it, so when the path names a new file the old
/// descriptor can be read to its true end, then the rotated parts written in between, then the
/// new file. When a newer instance's file appears, the current one is finished and the cursor
/// moves on, so one follow spans restarts.
///
/// Not thread-safe; one `podrun logs` loop owns it.
final class ContainerLogCursor {
    let layout: PodRunDirectoryLayout
    let container: String
    /// The instance being read; -1 before the first one exists.
    private(set) var restartCount: Int
    private var fd: Int32 = -1
    private var identity: FileIdentity?
    private var decoder = CRILogDecoder()
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Device and inode: what tells a rotated file from its successor.
    struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    init(layout: PodRunDirectoryLayout, container: String, restartCount: Int) {
        self.layout = layout
        self.container = container
        self.restartCount = restartCount
    }

    deinit { closeFile() }

    /// Reads the instance's rotated parts and its current file up to their present end.
    func readExisting(_ emit: (CRILogLine) -> Void) {
        guard restartCount >= 0 else { return }
        for generation in layout.rotatedGenerations(container: container, restartCount: restartCount) {
            readWholeFile(layout.logFile(container: container, restartCount: restartCount, generation: generation).path, emit)
        }
        _ = openCurrent()
        _ = readToEnd(emit)
    }

    /// Reads what was appended since the last call, following a rotation. True if bytes were read.
    @discardableResult
    func poll(_ emit: (CRILogLine) -> Void) -> Bool {
        guard restartCount >= 0 else { return false }
        if fd < 0 {
            guard openCurrent() else { return false }
        }
        var progressed = readToEnd(emit)
        let path = layout.logFile(container: container, restartCount: restartCount).path
        guard let now = Self.identity(ofPath: path), now == identity else {
            // Rotated: our file is complete now (the writer closes it before renaming it).
            progressed = readToEnd(emit) || progressed
            let old = identity
            closeFile()
            let generations = layout.rotatedGenerations(container: container, restartCount: restartCount)
            var newer: [Int] = generations
            if let old, let index = generations.firstIndex(where: { generation in
                Self.identity(ofPath: layout.logFile(container: container, restartCount: restartCount, generation: generation).path) == old
            }) {
                newer = Array(generations[(index + 1)...])  // oldest first: those after ours are newer
            }
            for generation in newer {
                readWholeFile(layout.logFile(container: container, restartCount: restartCount, generation: generation).path, emit)
                progressed = true
            }
            if openCurrent() { progressed = readToEnd(emit) || progressed }
            return progressed
        }
        return progressed
    }

    /// If a newer instance has a log file, finishes this one (reading it to the end) and moves
    /// to the next, reading what it has so far. True if it moved.
    @discardableResult
    func advanceIfNewerInstance(_ emit: (CRILogLine) -> Void) -> Bool {
        guard let next = layout.instances(of: container).first(where: { $0 > restartCount }) else { return false }
        if restartCount >= 0 {
            poll(emit)
            finishInstance(emit)
        }
        closeFile()
        decoder.reset()
        restartCount = next
        readExisting(emit)
        return true
    }

    /// Stops reading the instance: hands on a last unterminated record or unfinished line when
    /// the instance is `complete`, drops them when it may still be being written.
    func finishInstance(complete: Bool = true, _ emit: (CRILogLine) -> Void) {
        decoder.finish(complete: complete, emit)
    }

    // MARK: -

    @discardableResult
    private func openCurrent() -> Bool {
        closeFile()
        let path = layout.logFile(container: container, restartCount: restartCount).path
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else { return false }
        fd = opened
        identity = Self.identity(ofDescriptor: opened)
        return true
    }

    private func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
        identity = nil
    }

    /// Reads `fd` until EOF; true if anything was read.
    private func readToEnd(_ emit: (CRILogLine) -> Void) -> Bool {
        guard fd >= 0 else { return false }
        return Self.drain(fd, buffer: &buffer, into: &decoder, emit)
    }

    private func readWholeFile(_ path: String, _ emit: (CRILogLine) -> Void) {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return }
        defer { close(file) }
        _ = Self.drain(file, buffer: &buffer, into: &decoder, emit)
    }

    private static func drain(_ fd: Int32, buffer: inout [UInt8], into decoder: inout CRILogDecoder, _ emit: (CRILogLine) -> Void) -> Bool {
        var any = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                any = true
                buffer.withUnsafeBufferPointer { decoder.feed(UnsafeBufferPointer(rebasing: $0[..<n]), emit) }
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return any
            }
        }
    }

    private static func identity(ofDescriptor fd: Int32) -> FileIdentity? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino))
    }

    private static func identity(ofPath path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino))
    }
}

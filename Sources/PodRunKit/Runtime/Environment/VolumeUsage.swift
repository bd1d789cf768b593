/// How much space a volume's files take, measured the way `du -sx` does: allocated blocks of every
/// file and directory under the root, each hard-linked file once, links never followed, other file
/// systems mounted inside not counted.
///
/// Allocated space rather than file length is what fills a disk or tmpfs (a sparse file costs
/// little); a file whose blocks the file system has not yet reported (delayed allocation) counts
/// its length instead, so fresh writes are never missed.
enum VolumeUsage {
    static func bytes(at path: String) -> Int64 {
        guard let root = VolumeFiles.entry(at: path) else { return 0 }
        var total: Int64 = 0
        var seenLinked = Set<[UInt64]>()
        var pending: [(path: String, entry: VolumeFiles.Entry)] = [(path, root)]
        while let (current, entry) = pending.popLast() {
            if entry.kind != .directory, entry.linkCount > 1, !seenLinked.insert([entry.device, entry.inode]).inserted { continue }
            total += entry.kind == .regularFile && entry.allocated == 0 ? entry.size : entry.allocated
            guard entry.kind == .directory, entry.device == root.device else { continue }
            for name in VolumeFiles.names(in: current) {
                let child = current + "/" + name
                if let childEntry = VolumeFiles.entry(at: child) { pending.append((child, childEntry)) }
            }
        }
        return total
    }
}

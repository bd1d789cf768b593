/// The ports this process has handed out and not yet released, across every pod it runs.
///
/// Between the test bind that proves a port free and the moment a container binds it, nothing
/// stops another allocation from picking the same port: the OS reuses a just-closed ephemeral port
/// readily, and two pods in `same` mode may want the same number. Every allocation in the process
/// goes through this registry, so it never hands out a port twice.
enum PortRegistry {
    struct Key: Hashable {
        var port: Int32
        var `protocol`: PortProtocol
    }

    struct Owner {
        /// `PortMap.reservation` of the allocation holding the port.
        var reservation: String
        /// Who holds it, for error messages: `pod "web" container "app"`.
        var label: String
    }

    private static let entries = Locked<[Key: Owner]>([:])

    /// Records `key` for `owner`; returns the current owner instead when it is taken.
    static func reserve(_ key: Key, for owner: Owner) -> Owner? {
        entries.withLock { entries in
            if let current = entries[key] { return current }
            entries[key] = owner
            return nil
        }
    }

    /// Frees every port held by `reservation`.
    static func release(reservation: String) {
        entries.withLock { entries in
            entries = entries.filter { $0.value.reservation != reservation }
        }
    }

    /// The holder of `key` in this process, if any.
    static func owner(of key: Key) -> Owner? {
        entries.withLock { $0[key] }
    }
}

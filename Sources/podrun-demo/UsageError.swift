/// A mistake in the command line. The entry point prints it with the subcommand's usage on stderr
/// and exits 2, the conventional status for bad usage, so a pod spec typo is easy to tell apart
/// from a workload failure (1) in podrun's events.
struct UsageError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Before anything can start a thread: block and trap SIGTERM/SIGINT (see SignalTrap.prepare).
SignalTrap.prepare()
// A reader or peer that went away shows up as EPIPE on write instead of killing the workload.
signal(SIGPIPE, SIG_IGN)
DemoCLI.main(Array(CommandLine.arguments.dropFirst()))

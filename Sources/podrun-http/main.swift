#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PodRunHTTP

// podrun's httpGet helper: see HTTPProbeMessage (PodRunKit) and HTTPProbeServer (PodRunHTTP).
// It shares podrun's process group, so a Ctrl-C or a signal to the group would reach it too;
// readiness probes go on while a pod stops, so it ignores them and ends when podrun's pipe does.
for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { signal(number, SIG_IGN) }
HTTPProbeServer().run()

import ArgumentParser
import PodRunKit

/// `--ports same|auto`.
extension PortMode: ExpressibleByArgument {}

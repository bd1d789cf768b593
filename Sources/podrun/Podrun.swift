import ArgumentParser
import PodRunKit
@main struct Podrun: ParsableCommand { func run() throws { print(podrunVersion) } }

import PodRunKit

/// The table `podrun run` prints when the pod ends: what each container did, in spec order.
struct SummaryTable {
    let status: PodStatus

    func lines(style: TerminalStyle) -> [String] {
        let header = ["CONTAINER", "KIND", "RESTARTS", "LAST EXIT"]
        let rows = status.containers.map { container -> [String] in
            [container.name, container.kind.rawValue, String(container.restartCount), lastExit(of: container)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func format(_ row: [String]) -> String {
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
        let phase = status.phase.rawValue
        let colouredPhase = status.phase == .succeeded ? style.colour(phase, .green) : style.colour(phase, .red)
        return [style.bold(format(header))] + rows.map(format) + ["pod phase: \(colouredPhase)"]
    }

    private func lastExit(of container: ContainerStatus) -> String {
        guard let end = container.lastTermination else { return "never ran" }
        var text = "\(end.exitCode) (\(end.reason)"
        if let signal = end.signal { text += ", \(EventEncoder.signalName(signal))" }
        return text + ")"
    }
}

import Foundation
import PodRunKit

/// Everything `podrun run` shows goes through here, into one `LineOutput`: container lines,
/// events, restart markers, the preamble and the summary. One writer is what keeps lines from
/// mixing; log lines wait when the terminal is slow (the container is slowed, the files still
/// get everything), events never do.
final class RunConsole: Sendable {
    private let output: LineOutput
    private let renderer: RunOutputRenderer
    private let eventsFile: EventFileSink?
    /// The last exit code of each container, for the restart marker of its next instance.
    private let lastExit = Locked<[String: Int32]>([:])

    init(descriptor: Int32, renderer: RunOutputRenderer, eventsFile: EventFileSink?) {
        output = LineOutput(fileDescriptor: descriptor)
        self.renderer = renderer
        self.eventsFile = eventsFile
    }

    func log(_ batch: LogBatch) {
        let bytes = renderer.render(batch)
        if !bytes.isEmpty { output.write(bytes) }
    }

    func event(_ record: EventRecord) {
        eventsFile?.write(record)
        let container = record.event.container
        switch record.event.kind {
        case .exited(let exitCode, _, _, _):
            if let container { lastExit.withLock { $0[container] = exitCode } }
        case .started(let restartCount, _) where restartCount > 0:
            if let container {
                let code = lastExit.withLock { $0[container] }
                output.writeWithoutWaiting(renderer.restartMarker(container: container, restartCount: restartCount, exitCode: code))
            }
        default:
            break
        }
        let text = renderer.format == .json ? String(decoding: EventEncoder.jsonLine(record), as: UTF8.self) : EventEncoder.text(record.event)
        output.writeWithoutWaiting(renderer.renderEvent(text, container: container, time: record.time))
    }

    /// Informational lines (text output only): where volumes and ports are.
    func note(_ line: String) {
        guard renderer.format == .text else { return }
        output.writeWithoutWaiting(Array((renderer.style.dim("▸ " + line) + "\n").utf8))
    }

    func lines(_ lines: [String]) {
        output.writeWithoutWaiting(Array(lines.map { $0 + "\n" }.joined().utf8))
    }

    /// Waits until everything written so far is out.
    func finish() {
        output.flush()
        output.close()
        eventsFile?.close()
    }
}

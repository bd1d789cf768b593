import Foundation
import PodRunKit

/// Turns what `podrun run` shows — container log lines, events, restart markers — into the
/// bytes written to its standard output, as terminal text or as JSON Lines.
///
/// Text: `name | line`, names padded to one width and coloured stably per container (the colour
/// comes from a hash of the name, so `web` has the same colour in every run); events start
/// with `▸` and restart markers with `──`, so neither can be mistaken for a container's line
/// (a tool stripping `name | ` prefixes sees them as foreign lines). JSON Lines: log lines as
/// `{"type":"Log",…}` objects beside the event objects, which the event encoder formats.
///
/// Every method returns whole lines in one buffer, for one `LineOutput` write: that is what keeps
/// lines of different containers from mixing.
struct RunOutputRenderer: Sendable {
    enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    let format: Format
    let style: TerminalStyle
    /// `--timestamps`: text lines start with the RFC 3339 UTC time (milliseconds) podrun read them.
    let timestamps: Bool
    /// False with `--no-log-prefix`: text log lines are printed bare.
    let logPrefix: Bool
    /// `--quiet`: events only, no log lines or restart markers.
    let quiet: Bool
    /// The width names are padded to: the longest container name.
    let nameWidth: Int
    private let prefixes: [String: [UInt8]]

    /// The palette names are hashed into (six colours that read on dark and light backgrounds).
    static let palette: [TerminalStyle.Colour] = [.cyan, .yellow, .green, .magenta, .blue, .brightRed]

    init(
        containerNames: [String],
        format: Format = .text,
        style: TerminalStyle,
        timestamps: Bool = false,
        logPrefix: Bool = true,
        quiet: Bool = false
    ) {
        self.format = format
        self.style = style
        self.timestamps = timestamps
        self.logPrefix = logPrefix
        self.quiet = quiet
        let width = containerNames.map(\.count).max() ?? 0
        self.nameWidth = width
        var prefixes: [String: [UInt8]] = [:]
        for name in containerNames {
            prefixes[name] = Self.namePrefix(name, width: width, style: style)
        }
        self.prefixes = prefixes
    }

    /// A container's stable colour: FNV-1a of its name (Swift's `Hasher` is seeded per process).
    static func colour(for name: String) -> TerminalStyle.Colour {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return palette[Int(hash % UInt32(palette.count))]
    }

    // MARK: Log lines

    /// The lines of `batch`; empty with `--quiet`.
    func render(_ batch: LogBatch) -> [UInt8] {
        if quiet { return [] }
        var output: [UInt8] = []
        switch format {
        case .json:
            output.reserveCapacity(batch.lines.count * 2 + 128)
            LogLineFormatter.appendJSONLines(of: batch, to: &output)
        case .text:
            var prefix: [UInt8] = []
            if timestamps {
                prefix.append(contentsOf: style.dim(LogTimestamp(batch.time).rfc3339Milli).utf8)
                prefix.append(0x20)
            }
            if logPrefix {
                prefix.append(contentsOf: prefixes[batch.container] ?? Self.namePrefix(batch.container, width: nameWidth, style: style))
            }
            output.reserveCapacity(batch.lines.count + batch.lines.count / 4 * max(1, prefix.count) + 64)
            LogLineFormatter.appendLines(of: batch, prefix: prefix, to: &output)
        }
        return output
    }

    // MARK: Events

    /// An event line. `text` is the event already formatted: the human description without the
    /// container's name (text format), or the event's JSON object (JSON format).
    func renderEvent(_ text: String, container: String?, time: Date? = nil) -> [UInt8] {
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        switch format {
        case .json:
            return Array((body + "\n").utf8)
        case .text:
            var line = ""
            if timestamps, let time { line += style.dim(LogTimestamp(time).rfc3339Milli) + " " }
            line += style.dim("▸") + " "
            if let container { line += style.colour(container, Self.colour(for: container)) + " " }
            line += body
            return Array((line + "\n").utf8)
        }
    }

    /// The line that shows where a container's next instance begins:
    /// `── web restarted (#3) after exit 1 ──`. Nothing in JSON (the `Started` event's
    /// `restartCount` says it) or with `--quiet`.
    func restartMarker(container: String, restartCount: Int, exitCode: Int32?) -> [UInt8] {
        guard format == .text, !quiet else { return [] }
        var text = "── " + style.colour(container, Self.colour(for: container)) + " restarted (#\(restartCount))"
        if let exitCode { text += " after exit \(exitCode)" }
        text += " ──"
        return Array((text + "\n").utf8)
    }

    // MARK: -

    /// `web   | ` with the name coloured.
    private static func namePrefix(_ name: String, width: Int, style: TerminalStyle) -> [UInt8] {
        let padding = String(repeating: " ", count: max(0, width - name.count))
        return Array((style.colour(name, colour(for: name)) + padding + " | ").utf8)
    }
}

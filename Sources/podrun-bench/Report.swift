/// A number with a fixed count of decimals (no Foundation here).
func format(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let negative = value < 0
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e15 else { return String(value) }
    let whole = Int(scaled) / Int(scale)
    let fraction = Int(scaled) % Int(scale)
    var text = String(whole)
    if decimals > 0 {
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
    return (negative && scaled != 0 ? "-" : "") + text
}

func median(_ values: [Double]) -> Double {
    percentile(values, 50)
}

/// Nearest-rank percentile (p in 0...100); NaN for no values.
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.filter { !$0.isNaN }.sorted()
    guard !sorted.isEmpty else { return .nan }
    if p == 50 {
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}

enum Unit {
    case seconds, milliseconds, mebibytes, percent, perSecond, count

    func text(_ value: Double) -> String {
        guard !value.isNaN else { return "n/a" }
        switch self {
        case .seconds: return format(value, 3) + " s"
        case .milliseconds: return format(value, value < 10 ? 2 : 1) + " ms"
        case .mebibytes: return format(value, 1) + " MiB"
        case .percent: return format(value, value < 1 ? 3 : 2) + " %"
        case .perSecond: return format(value, value < 10 ? 2 : 0) + "/s"
        case .count: return format(value, value == value.rounded() ? 0 : 1)
        }
    }
}

enum Target {
    case atMost(Double)
    case atLeast(Double)

    func met(by value: Double) -> Bool {
        switch self {
        case .atMost(let limit): return value <= limit
        case .atLeast(let limit): return value >= limit
        }
    }

    func text(_ unit: Unit) -> String {
        switch self {
        case .atMost(let limit): return "≤ " + unit.text(limit)
        case .atLeast(let limit): return "≥ " + unit.text(limit)
        }
    }
}

/// One row of the table: podrun's samples, and what they are compared with.
struct Row {
    var label: String
    var unit: Unit
    var samples: [Double]
    var target: Target? = nil
    /// The same work without podrun, measured in the same run: the ratio is podrun's median over this median.
    var floor: [Double]? = nil
    var note: String = ""
    /// Show the median only (the samples are not repetitions, e.g. a percentile of many probe starts).
    var single = false

    var value: Double { median(samples) }
}

struct Section {
    var title: String
    var rows: [Row] = []
}

func printTable(_ sections: [Section], header: [String]) {
    var lines: [[String]] = []
    for section in sections {
        lines.append(["**" + section.title + "**", "", "", "", "", ""])
        for row in section.rows {
            let valid = row.samples.filter { !$0.isNaN }
            var value = row.unit.text(row.value)
            if !row.single, valid.count > 1, let low = valid.min(), let high = valid.max() {
                value += " [" + row.unit.text(low).split(separator: " ")[0] + "–" + row.unit.text(high) + "]"
            }
            var status = ""
            if let target = row.target {
                status = valid.isEmpty ? "n/a" : (target.met(by: row.value) ? "ok" : "MISS")
            }
            var floorText = ""
            if let floor = row.floor {
                let floorMedian = median(floor)
                floorText = row.unit.text(floorMedian)
                if floorMedian > 0, !row.value.isNaN { floorText += " (×" + format(row.value / floorMedian, 1) + ")" }
            }
            lines.append([
                "  " + row.label, value, row.target?.text(row.unit) ?? "", status, floorText, row.note,
            ])
        }
    }
    let titles = ["workload", "podrun median [min–max]", "target", "", "floor (podrun ÷ floor)", "notes"]
    var widths = titles.map(\.count)
    for line in lines {
        for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    for text in header { print(text) }
    func render(_ cells: [String]) -> String {
        "| " + cells.enumerated().map { $0.element + String(repeating: " ", count: widths[$0.offset] - $0.element.count) }
            .joined(separator: " | ") + " |"
    }
    print(render(titles))
    print("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
    for line in lines { print(render(line)) }
}

/// FNV-1a, 64 bits: the checksum of a stream of lines.
struct Checksum: Equatable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private(set) var lines = 0

    mutating func add<C: Collection>(line bytes: C) where C.Element == UInt8 {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        value ^= 0x0a
        value = value &* 0x0000_0100_0000_01b3
        lines += 1
    }

    mutating func add(line text: String) { add(line: text.utf8) }
}

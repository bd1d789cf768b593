import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant with nanosecond precision, written and read as RFC 3339 in UTC.
///
/// Log capture stamps every chunk it reads, so formatting must be cheap and allocation-free:
/// this type converts seconds to a civil date arithmetically (no `DateFormatter`, no `gmtime`)
/// and writes the fixed-width text straight into a byte buffer. The fixed width (always nine
/// fractional digits, always `Z`) also makes timestamps in podrun's own files sort as text.
public struct LogTimestamp: Sendable, Hashable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        var whole = interval.rounded(.down)
        var nanos = ((interval - whole) * 1e9).rounded()
        if nanos >= 1e9 { whole += 1; nanos -= 1e9 }
        self.init(seconds: Int64(whole), nanoseconds: Int32(nanos))
    }

    /// The current wall-clock time.
    public static func now() -> LogTimestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return LogTimestamp(seconds: Int64(ts.tv_sec), nanoseconds: Int32(ts.tv_nsec))
    }

    public var date: Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    public static func < (a: LogTimestamp, b: LogTimestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// Length of `2006-01-02T15:04:05.000000000Z`.
    public static let nanosecondTextLength = 30
    /// Length of `2006-01-02T15:04:05.000Z`.
    public static let millisecondTextLength = 24

    /// Appends `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (9 digits) or, with `fractionDigits: 3`,
    /// `YYYY-MM-DDTHH:MM:SS.fffZ` (the event stream's format).
    public func append(to output: inout [UInt8], fractionDigits: Int = 9) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var value = value
            while divisor > 0 {
                output.append(UInt8(truncatingIfNeeded: 48 + value / divisor))
                value %= divisor
                divisor /= 10
            }
        }
        digits(Int(year), 4)
        output.append(UInt8(ascii: "-"))
        digits(month, 2)
        output.append(UInt8(ascii: "-"))
        digits(day, 2)
        output.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        output.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        output.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        let digitsWanted = min(9, max(1, fractionDigits))
        var fraction = Int(nanoseconds)
        for _ in digitsWanted..<9 { fraction /= 10 }
        output.append(UInt8(ascii: "."))
        digits(fraction, digitsWanted)
        output.append(UInt8(ascii: "Z"))
    }

    /// The RFC 3339 text with nine fractional digits.
    public var rfc3339Nano: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.nanosecondTextLength)
        append(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The RFC 3339 text with milliseconds, as the event stream writes `time`.
    public var rfc3339Milli: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.millisecondTextLength)
        append(to: &bytes, fractionDigits: 3)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses RFC 3339 (`2006-01-02T15:04:05Z`, with any number of fractional digits and a `Z`
    /// or `±HH:MM` offset), as Go's `time.RFC3339Nano` layout accepts: the kubelet's files and
    /// podrun's own. Nil for anything else.
    public static func parse<Bytes: Collection<UInt8>>(_ text: Bytes) -> LogTimestamp? where Bytes.Index == Int {
        var index = text.startIndex
        let end = text.endIndex
        func number(_ count: Int) -> Int? {
            guard end - index >= count else { return nil }
            var value = 0
            for _ in 0..<count {
                let byte = text[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < end, text[index] == character else { return false }
            index += 1
            return true
        }
        func expectEither(_ a: UInt8, _ b: UInt8) -> Bool {
            guard index < end, text[index] == a || text[index] == b else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
              let day = number(2), expectEither(UInt8(ascii: "T"), UInt8(ascii: "t")), let hour = number(2),
              expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")), let second = number(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var nanos = 0
        if index < end, text[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000_000
            var any = false
            while index < end, text[index] >= 48, text[index] <= 57 {
                nanos += Int(text[index] - 48) * scale
                scale /= 10
                index += 1
                any = true
            }
            guard any else { return nil }
        }
        var offset = 0
        if expectEither(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            offset = 0
        } else if index < end, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            let sign = text[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = number(2), expect(UInt8(ascii: ":")), let minutes = number(2) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == end else { return nil }
        let days = daysSinceEpoch(year: Int64(year), month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return LogTimestamp(seconds: seconds, nanoseconds: Int32(nanos))
    }

    // Howard Hinnant's civil-date algorithms (proleptic Gregorian calendar).

    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysSinceEpoch(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

import Foundation

/// A Kubernetes resource quantity (`128Mi`, `1G`, `500k`), kept as written and as bytes.
public struct Quantity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var text: String
    public var bytes: Int64

    /// Parses Kubernetes' quantity syntax: a decimal number followed by a binary suffix
    /// (Ki Mi Gi Ti Pi Ei), a decimal suffix (m k M G T P E) or an exponent (`1e6`).
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var numberEnd = trimmed.endIndex
        for (index, character) in zip(trimmed.indices, trimmed) where !(character.isNumber || character == "." || character == "+" || character == "-") {
            numberEnd = index
            break
        }
        let numberText = String(trimmed[..<numberEnd])
        let suffix = String(trimmed[numberEnd...])
        guard let number = Double(numberText), number >= 0 else { return nil }
        let multiplier: Double
        switch suffix {
        case "": multiplier = 1
        case "Ki": multiplier = 1024
        case "Mi": multiplier = 1024 * 1024
        case "Gi": multiplier = 1024 * 1024 * 1024
        case "Ti": multiplier = 1024 * 1024 * 1024 * 1024
        case "Pi": multiplier = 1024 * 1024 * 1024 * 1024 * 1024
        case "Ei": multiplier = 1024 * 1024 * 1024 * 1024 * 1024 * 1024
        case "m": multiplier = 0.001
        case "k": multiplier = 1e3
        case "M": multiplier = 1e6
        case "G": multiplier = 1e9
        case "T": multiplier = 1e12
        case "P": multiplier = 1e15
        case "E": multiplier = 1e18
        default:
            guard suffix.first == "e" || suffix.first == "E", let exponent = Int(suffix.dropFirst()), abs(exponent) <= 18 else {
                return nil
            }
            multiplier = pow10(exponent)
        }
        let value = (number * multiplier).rounded(.up)
        guard value < 9.2e18 else { return nil }
        self.text = text
        self.bytes = Int64(value)
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let quantity = Quantity(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a quantity: \(text)"))
        }
        self = quantity
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

private func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<abs(exponent) { result *= 10 }
    return exponent < 0 ? 1 / result : result
}

import Foundation
import Testing
@testable import PodRunKit

@Suite("Quantity: Kubernetes resource sizes in bytes")
struct QuantityTests {
    @Test(
        "valid quantities and their bytes (fractions of a byte round up)",
        arguments: [
            ("0", 0), ("5", 5), ("128Mi", 128 << 20), ("1.5Gi", 3 << 29), (".5Ki", 512), ("64Ki", 65_536), ("2Ti", 2 << 40),
            ("1Pi", 1 << 50), ("1Ei", 1 << 60), ("1k", 1_000), ("500M", 500_000_000), ("1G", 1_000_000_000), ("3T", 3_000_000_000_000),
            ("1P", 1_000_000_000_000_000), ("1E", 1_000_000_000_000_000_000), ("100m", 1), ("1e3", 1_000), ("1E3", 1_000),
            ("2e-3", 1), ("+7", 7),
        ] as [(String, Int64)])
    func valid(text: String, bytes: Int64) throws {
        let quantity = try #require(Quantity(text))
        #expect(quantity.bytes == bytes)
        #expect(quantity.text == text)
        #expect(quantity.description == text)
    }

    @Test("invalid quantities", arguments: ["", "Ki", "-1", "-1Mi", "1.2.3", "1Zi", "1 Mi", "lots", "1e19", "9Ei", "1e", "0x10", "Mi1"])
    func invalid(text: String) {
        #expect(Quantity(text) == nil)
    }

    @Test("encodes as its text and decodes from it; decoding a non-quantity throws")
    func codable() throws {
        let quantity = try #require(Quantity("64Mi"))
        #expect(String(decoding: try JSONEncoder().encode([quantity]), as: UTF8.self) == #"["64Mi"]"#)
        #expect(try JSONDecoder().decode([Quantity].self, from: Data(#"["64Mi"]"#.utf8)) == [quantity])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Quantity].self, from: Data(#"["lots"]"#.utf8)) }
    }
}

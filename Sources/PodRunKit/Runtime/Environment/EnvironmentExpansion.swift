/// Kubernetes' `$(VAR)` expansion, as the kubelet applies it to `env[].value`, `command` and `args`
/// (`third_party/forked/golang/expansion/expand.go`).
///
/// The rules are deliberately not a shell's, so a manifest means the same thing here as on a cluster:
/// - `$(NAME)` becomes NAME's value; when `lookup` knows no NAME it stays `$(NAME)` as written.
/// - `$$` is an escaped `$`: `$$(NAME)` gives the literal `$(NAME)`.
/// - `$` before any other character is kept with that character (`$HOME`, `${X}`, `$?` pass through
///   for a shell to see), and so is a `$(` that is never closed.
/// - Values are inserted as they are: a value containing `$(OTHER)` is not expanded again.
public enum EnvironmentExpansion {
    public static func expand(_ text: String, using lookup: (String) -> String?) -> String {
        let input = Array(text.utf8)
        guard input.contains(dollar) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var cursor = 0
        while cursor < input.count {
            let byte = input[cursor]
            // A `$` with nothing after it is kept (Go: "operator at end of input string is preserved").
            guard byte == dollar, cursor + 1 < input.count else {
                output.append(byte)
                cursor += 1
                continue
            }
            let next = input[cursor + 1]
            if next == dollar {
                output.append(dollar)
                cursor += 2
            } else if next == openParenthesis, let close = input[(cursor + 2)...].firstIndex(of: closeParenthesis) {
                // The name runs to the first `)`, so `$(A$(B))` asks for the variable `A$(B`.
                let name = String(decoding: input[(cursor + 2)..<close], as: UTF8.self)
                if let value = lookup(name) {
                    output.append(contentsOf: value.utf8)
                } else {
                    output.append(contentsOf: input[cursor...close])
                }
                cursor = close + 1
            } else {
                // `$c` or an unclosed `$(`: keep both bytes and go on after them, so the `(` of an
                // unclosed reference never starts another one.
                output.append(dollar)
                output.append(next)
                cursor += 2
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Expands with a fixed set of variables.
    public static func expand(_ text: String, with variables: [String: String]) -> String {
        expand(text) { variables[$0] }
    }

    private static let dollar = UInt8(ascii: "$")
    private static let openParenthesis = UInt8(ascii: "(")
    private static let closeParenthesis = UInt8(ascii: ")")
}

/// Kubernetes' name formats, with its own wording for what is wrong.
///
/// podrun uses names in directory names, environment variable names and log prefixes, so
/// enforcing Kubernetes' formats also keeps those safe.
enum KubernetesName {
    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }

    /// RFC 1123 label (container, volume and namespace names): at most 63 characters of
    /// `a-z`, `0-9` and `-`, starting and ending with a letter or digit.
    static func labelProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.count > 63 { return "must be no more than 63 characters" }
        guard name.allSatisfy({ isLowerAlphanumeric($0) || $0 == "-" }), let first = name.first, let last = name.last,
            isLowerAlphanumeric(first), isLowerAlphanumeric(last)
        else {
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// RFC 1123 subdomain (pod names): dot-separated labels, at most 253 characters.
    static func subdomainProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.count > 253 { return "must be no more than 253 characters" }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.allSatisfy({ label in
            guard let first = label.first, let last = label.last else { return false }
            return label.allSatisfy({ isLowerAlphanumeric($0) || $0 == "-" }) && isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
        }) else {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
        }
        return nil
    }

    /// IANA service name (port names): 1–15 characters of `a-z`, `0-9` and `-`, with at
    /// least one letter, no leading, trailing or doubled `-`.
    static func portNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.count > 15 { return "must be no more than 15 characters" }
        if !name.allSatisfy({ isLowerAlphanumeric($0) || $0 == "-" }) {
            return "must contain only lower case alphanumeric characters (a-z, 0-9) and '-'"
        }
        if !name.contains(where: { $0.isLetter }) { return "must contain at least one letter (a-z)" }
        if name.hasPrefix("-") || name.hasSuffix("-") { return "must not begin or end with a hyphen" }
        if name.contains("--") { return "must not contain consecutive hyphens" }
        return nil
    }

    /// A valid name close to `name` (`My_App` → `my-app`), when one exists: an RFC 1123 label,
    /// or with `allowingDots` a subdomain (pod names).
    static func suggestion(for name: String, allowingDots: Bool) -> String? {
        var result = ""
        for character in name.lowercased() {
            if isLowerAlphanumeric(character) || (allowingDots && character == ".") {
                result.append(character)
            } else if !result.hasSuffix("-") {
                result.append("-")
            }
        }
        func trimmed(_ text: some StringProtocol) -> String {
            String(text.drop(while: { !isLowerAlphanumeric($0) }).reversed().drop(while: { !isLowerAlphanumeric($0) }).reversed())
        }
        let suggestion = trimmed(trimmed(result).prefix(allowingDots ? 253 : 63))
        let problem = allowingDots ? subdomainProblem(suggestion) : labelProblem(suggestion)
        guard problem == nil, suggestion != name else { return nil }
        return suggestion
    }
}

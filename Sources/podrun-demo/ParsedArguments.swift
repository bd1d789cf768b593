/// A subcommand's command line split into options, flags and positional arguments, with typed
/// accessors that turn bad values into `UsageError`s.
///
/// Hand-written rather than ArgumentParser because the demo's contract is small and fixed (exit 2
/// on bad usage, where ArgumentParser uses 64) and the binary stays dependency-free. Options are
/// recognised left to right against the subcommand's declared names, so an option's value may
/// itself start with `--` (`--message --oops`) and `--name=value` works too.
struct ParsedArguments {
    /// Set by `-h`/`--help` anywhere before `--`.
    private(set) var helpRequested = false
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    private(set) var positionals: [String] = []

    /// Parses `arguments` (without the subcommand name). `options` take a value; `flags` don't.
    /// Names include the leading dashes.
    init(_ arguments: [String], options: Set<String>, flags knownFlags: Set<String>) throws {
        var index = arguments.startIndex
        var onlyPositionals = false
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" || Double(argument) != nil {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            if argument == "-h" || argument == "--help" {
                helpRequested = true
                continue
            }
            let name: String
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
            }
            if options.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else if index < arguments.endIndex {
                    values[name] = arguments[index]
                    index += 1
                } else {
                    throw UsageError("option \(name) needs a value")
                }
            } else if knownFlags.contains(name) {
                guard inlineValue == nil else { throw UsageError("option \(name) takes no value") }
                flags.insert(name)
            } else {
                throw UsageError("unknown option '\(argument)'")
            }
        }
    }

    /// Whether the flag was given.
    func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// The option's raw value, if given (the last one wins when repeated).
    func string(_ name: String) -> String? {
        values[name]
    }

    /// The option as a whole number within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(name) wants a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// The option as a TCP port; 0 means "any free port" where the subcommand allows it.
    func port(_ name: String) throws -> Int? {
        try integer(name, in: 0...65535)
    }

    /// The option as a duration (`250ms`, `2s`, `1m`, or seconds).
    func duration(_ name: String) throws -> Duration? {
        guard let text = values[name] else { return nil }
        guard let value = Duration(argument: text) else {
            throw UsageError("\(name) wants a duration such as 250ms, 2s, 1m or a number of seconds, not '\(text)'")
        }
        return value
    }

    /// Rejects positional arguments beyond the first `count`.
    func expectPositionals(atMost count: Int) throws {
        if positionals.count > count {
            throw UsageError("unexpected argument '\(positionals[count])'")
        }
    }

    /// The option's value, or a usage error saying it is required.
    func required<T>(_ name: String, _ value: T?) throws -> T {
        guard let value else { throw UsageError("missing required option \(name)") }
        return value
    }
}

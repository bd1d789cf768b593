import Testing

@testable import PodRunKit

/// Kubernetes' own expansion table (`third_party/forked/golang/expansion/expand_test.go`,
/// `doExpansionTest`), every case, run against one map (`TestMapping`) and a lookup chained over
/// two maps (`TestMappingDual`), plus `TestMapReference`.
@Suite struct EnvironmentExpansionTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let input: String
        let expected: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "whole string", input: "$(VAR_A)", expected: "A"),
        Case(name: "repeat", input: "$(VAR_A)-$(VAR_A)", expected: "A-A"),
        Case(name: "beginning", input: "$(VAR_A)-1", expected: "A-1"),
        Case(name: "middle", input: "___$(VAR_B)___", expected: "___B___"),
        Case(name: "end", input: "___$(VAR_C)", expected: "___C"),
        Case(name: "compound", input: "$(VAR_A)_$(VAR_B)_$(VAR_C)", expected: "A_B_C"),
        Case(name: "escape & expand", input: "$$(VAR_B)_$(VAR_A)", expected: "$(VAR_B)_A"),
        Case(name: "compound escape", input: "$$(VAR_A)_$$(VAR_B)", expected: "$(VAR_A)_$(VAR_B)"),
        Case(name: "mixed in escapes", input: "f000-$$VAR_A", expected: "f000-$VAR_A"),
        Case(name: "backslash escape ignored", input: "foo\\$(VAR_C)bar", expected: "foo\\Cbar"),
        Case(name: "backslash escape ignored (2)", input: "foo\\\\$(VAR_C)bar", expected: "foo\\\\Cbar"),
        Case(name: "lots of backslashes", input: "foo\\\\\\\\$(VAR_A)bar", expected: "foo\\\\\\\\Abar"),
        Case(name: "nested var references", input: "$(VAR_A$(VAR_B))", expected: "$(VAR_A$(VAR_B))"),
        Case(name: "nested var references second type", input: "$(VAR_A$(VAR_B)", expected: "$(VAR_A$(VAR_B)"),
        Case(name: "value is a reference", input: "$(VAR_REF)", expected: "$(VAR_A)"),
        Case(name: "value is a reference x 2", input: "%%$(VAR_REF)--$(VAR_REF)%%", expected: "%%$(VAR_A)--$(VAR_A)%%"),
        Case(name: "empty var", input: "foo$(VAR_EMPTY)bar", expected: "foobar"),
        Case(name: "unterminated expression", input: "foo$(VAR_Awhoops!", expected: "foo$(VAR_Awhoops!"),
        Case(name: "expression without operator", input: "f00__(VAR_A)__", expected: "f00__(VAR_A)__"),
        Case(name: "shell special vars pass through", input: "$?_boo_$!", expected: "$?_boo_$!"),
        Case(name: "bare operators are ignored", input: "$VAR_A", expected: "$VAR_A"),
        Case(name: "undefined vars are passed through", input: "$(VAR_DNE)", expected: "$(VAR_DNE)"),
        Case(name: "multiple (even) operators, var undefined", input: "$$$$$$(BIG_MONEY)", expected: "$$$(BIG_MONEY)"),
        Case(name: "multiple (even) operators, var defined", input: "$$$$$$(VAR_A)", expected: "$$$(VAR_A)"),
        Case(name: "multiple (odd) operators, var undefined", input: "$$$$$$$(GOOD_ODDS)", expected: "$$$$(GOOD_ODDS)"),
        Case(name: "multiple (odd) operators, var defined", input: "$$$$$$$(VAR_A)", expected: "$$$A"),
        Case(name: "missing open expression", input: "$VAR_A)", expected: "$VAR_A)"),
        Case(name: "shell syntax ignored", input: "${VAR_A}", expected: "${VAR_A}"),
        Case(name: "trailing incomplete expression not consumed", input: "$(VAR_B)_______$(A", expected: "B_______$(A"),
        Case(name: "trailing incomplete expression, no content, is not consumed", input: "$(VAR_C)_______$(", expected: "C_______$("),
        Case(name: "operator at end of input string is preserved", input: "$(VAR_A)foobarzab$", expected: "Afoobarzab$"),
        Case(name: "shell escaped incomplete expr", input: "foo-\\$(VAR_A", expected: "foo-\\$(VAR_A"),
        Case(name: "lots of $( in middle", input: "--$($($($($--", expected: "--$($($($($--"),
        Case(name: "lots of $( in beginning", input: "$($($($($--foo$(", expected: "$($($($($--foo$("),
        Case(name: "lots of $( at end", input: "foo0--$($($($(", expected: "foo0--$($($($("),
        Case(name: "escaped operators in variable names are not escaped", input: "$(foo$$var)", expected: "$(foo$$var)"),
        Case(name: "newline not expanded", input: "\n", expected: "\n"),
    ]

    @Test(arguments: cases)
    func mapping(_ c: Case) {
        let context = ["VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""]
        #expect(EnvironmentExpansion.expand(c.input, with: context) == c.expected)
    }

    @Test(arguments: cases)
    func mappingDual(_ c: Case) {
        let context = ["VAR_A": "A", "VAR_EMPTY": ""]
        let context2 = ["VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)"]
        #expect(EnvironmentExpansion.expand(c.input) { context[$0] ?? context2[$0] } == c.expected)
    }

    /// `TestMapReference`: each variable is expanded with the ones declared before it.
    @Test func mapReference() {
        let envs = [("FOO", "bar"), ("ZOO", "$(FOO)-1"), ("BLU", "$(ZOO)-2")]
        var declared = Dictionary(uniqueKeysWithValues: envs)
        for (name, value) in envs {
            let snapshot = declared
            declared[name] = EnvironmentExpansion.expand(value) { snapshot[$0] }
        }
        #expect(declared == ["FOO": "bar", "ZOO": "bar-1", "BLU": "bar-1-2"])
    }

    @Test(arguments: [
        ("$(NAME)/é/$(NAME)", "ü/é/ü"),
        ("$é", "$é"),
        ("$(É)", "ok"),
        ("", ""),
        ("$", "$"),
        ("$$", "$"),
        ("$$$", "$$"),
    ])
    func nonASCIIAndShortInputs(_ input: String, _ expected: String) {
        #expect(EnvironmentExpansion.expand(input, with: ["NAME": "ü", "É": "ok"]) == expected)
    }
}

import NetpolLintCore
import Testing

@Suite struct FluxTemplateTests {
    func render(_ template: String, _ inputs: [String: TemplateValue] = [:]) throws(FluxTemplateError) -> String {
        try FluxTemplate(template).render(["inputs": .map(inputs)])
    }

    /// The error thrown by parsing or rendering, nil when it succeeds.
    func failure(_ template: String, _ inputs: [String: TemplateValue] = [:]) -> FluxTemplateError? {
        do {
            _ = try render(template, inputs)
            return nil
        } catch {
            return error
        }
    }

    func expectFailure(_ template: String, _ inputs: [String: TemplateValue],
                       _ message: String, line: Int, column: Int,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let e = failure(template, inputs)
        #expect(e?.message.contains(message) == true, "got \(String(describing: e))", sourceLocation: sourceLocation)
        #expect(e?.line == line && e?.column == column, "got \(String(describing: e))", sourceLocation: sourceLocation)
    }

    func expectFailure(_ template: String, _ message: String, line: Int, column: Int,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        expectFailure(template, [:], message, line: line, column: column, sourceLocation: sourceLocation)
    }

    // MARK: realistic templates

    static let namespaceTemplate = """
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: << inputs.tenant >>
          labels:
            tenant: << inputs.tenant | quote >>
            <<- if eq inputs.profile "standard" >>
            netpol.example.com/profile: standard
            <<- else if eq inputs.profile "restricted" "locked" >>
            netpol.example.com/profile: restricted
            <<- else >>
            netpol.example.com/profile: << inputs.profile | lower >>
            <<- end >>
            <<- if inputs.monitoring >>
            monitoring: enabled
            <<- end >>
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: flux
          namespace: << inputs.tenant >>

        """

    @Test func namespaceWithConditionalLabels() throws {
        let t = try FluxTemplate(Self.namespaceTemplate)
        let standard = try t.render(["inputs": .map([
            "tenant": .string("team1"), "profile": .string("standard"), "monitoring": .bool(true),
        ])])
        #expect(standard == """
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team1
              labels:
                tenant: "team1"
                netpol.example.com/profile: standard
                monitoring: enabled
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: flux
              namespace: team1

            """)
        let locked = try t.render(["inputs": .map([
            "tenant": .string("team2"), "profile": .string("locked"), "monitoring": .bool(false),
        ])])
        #expect(locked.contains("    tenant: \"team2\"\n    netpol.example.com/profile: restricted\n---\n"))
        #expect(!locked.contains("monitoring"))
        let other = try t.render(["inputs": .map([
            "tenant": .string("team3"), "profile": .string("Custom"), "monitoring": .string(""),
        ])])
        #expect(other.contains("    netpol.example.com/profile: custom\n---\n"))
    }

    @Test func operatorDocExample() throws {
        // From the Flux Operator ResourceSet docs: exclusion via the reconcile annotation.
        let t = "reconcile: << if eq inputs.tenant \"team1\" >>enabled<< else >>disabled<< end >>"
        #expect(try render(t, ["tenant": .string("team1")]) == "reconcile: enabled")
        #expect(try render(t, ["tenant": .string("team2")]) == "reconcile: disabled")
        #expect(try render("semver: << inputs.app.version | quote >>\nreplicas: << inputs.app.replicas | int >>",
                           ["app": .map(["version": .string("6.7.x"), "replicas": .number("2")])])
                == "semver: \"6.7.x\"\nreplicas: 2")
    }

    @Test func elseIfChainPicksFirstTrueBranch() throws {
        let t = "<< if eq inputs.n 1 >>one<< else if eq inputs.n 2 >>two<< else if inputs.n >>many<< else >>none<< end >>"
        #expect(try render(t, ["n": .number("1")]) == "one")
        #expect(try render(t, ["n": .number("2")]) == "two")
        #expect(try render(t, ["n": .number("7")]) == "many")
        #expect(try render(t, ["n": .number("0")]) == "none")
        #expect(try render("<< if false >>a<< else if false >>b<< end >>") == "")
    }

    // MARK: trimming and comments

    @Test func trimMarkersTrimExactly() throws {
        #expect(try render("a \n\t <<- \"x\" ->> \n\t b") == "axb")
        #expect(try render("a \n <<- \"x\" >> \n b") == "ax \n b")
        #expect(try render("a \n << \"x\" ->> \n b") == "a \n xb")
        #expect(try render("a \n << \"x\" >> \n b") == "a \n x \n b")
        // `<<-3` is the number -3, not a trim marker (the marker needs a following space).
        #expect(try render("a <<-3>>") == "a -3")
        #expect(try render("k:\n  <<- if true >>\n  v: 1\n  <<- end >>\n") == "k:\n  v: 1\n")
    }

    @Test func comments() throws {
        #expect(try render("a<</* note */>>b") == "ab")
        #expect(try render("a \n <<- /* multi\nline */ ->> \n b") == "ab")
        expectFailure("x\n << /* c */ >>", "unrecognized character in action: '/'", line: 2, column: 5)
        expectFailure("x <</* c */ y >>", "comment ends before closing delimiter", line: 1, column: 3)
        expectFailure("x <</* c", "unclosed comment", line: 1, column: 3)
    }

    // MARK: values and functions

    @Test func fieldAccessAndRendering() throws {
        let inputs: [String: TemplateValue] = [
            "a": .map(["b": .map(["c": .string("deep")])]),
            "n": .number("2.50"), "yes": .bool(true), "none": .null,
            "list": .list([.string("x"), .number("1"), .null]),
            "m": .map(["z": .bool(false), "a": .null]),
        ]
        #expect(try render("<< inputs.a.b.c >>|<< inputs.n >>|<< inputs.yes >>|<< inputs.none >>", inputs)
                == "deep|2.50|true|<no value>")
        #expect(try render("<< inputs.list >> << inputs.m >>", inputs) == "[x 1 <nil>] map[a:<nil> z:false]")
        #expect(try render("<< (index inputs \"a\").b.c >>", inputs) == "deep")
        #expect(try render("<< 42 >><< -7 >><< \"s\\t\\\"é\" >><< `raw\\n` >><< true >>") == "42-7s\t\"éraw\\ntrue")
    }

    @Test func missingKeysAreErrorsLikeMissingkeyError() {
        expectFailure("name: << inputs.nope >>", "map has no entry for key \"nope\"", line: 1, column: 16)
        expectFailure("\n<< inputs.a.missing >>", ["a": .map([:])], "map has no entry for key \"missing\"", line: 2, column: 12)
        expectFailure("<< inputs.s.x >>", ["s": .string("v")], "can't evaluate field x in type string", line: 1, column: 12)
        expectFailure("<< inputs.n.x >>", ["n": .null], "nil pointer evaluating field x", line: 1, column: 12)
        expectFailure("<< other >>", "unsupported template function 'other'", line: 1, column: 4)
    }

    @Test func indexOnMapsAndLists() throws {
        let inputs: [String: TemplateValue] = [
            "provider": .map(["name": .string("rs")]),
            "envs": .list([.string("dev"), .map(["name": .string("prod")])]),
        ]
        #expect(try render("<< index (index inputs \"provider\") \"name\" >>", inputs) == "rs")
        #expect(try render("<< index inputs \"envs\" 0 >>-<< index inputs \"envs\" 1 \"name\" >>", inputs) == "dev-prod")
        #expect(try render("<< index inputs.envs 1 \"name\" | upper >>", inputs) == "PROD")
        // Go's index yields the zero value for a missing map key instead of failing.
        #expect(try render("<< index inputs \"tag\" >>|<< index inputs \"tag\" | default \"latest\" >>", inputs)
                == "<no value>|latest")
        #expect(try render("<< index \"ab\" 1 >>") == "98")
        expectFailure("<< index inputs.envs 2 >>", inputs, "index out of range: 2", line: 1, column: 4)
        expectFailure("<< index inputs.envs \"0\" >>", inputs, "cannot index slice/array with type string", line: 1, column: 4)
        expectFailure("<< index inputs 0 >>", inputs, "value has type number; should be string", line: 1, column: 4)
        expectFailure("<< index nil 0 >>", "index of untyped nil", line: 1, column: 4)
    }

    @Test func pipelinesAndSprigFunctions() throws {
        let inputs: [String: TemplateValue] = [
            "name": .string("Team One"), "tag": .string(""), "replicas": .number("3.9"), "flag": .bool(true),
        ]
        #expect(try render("<< inputs.name | lower | quote >>", inputs) == "\"team one\"")
        #expect(try render("<< upper inputs.name >>", inputs) == "TEAM ONE")
        #expect(try render("<< inputs.tag | default \"latest\" >>/<< inputs.name | default \"x\" >>", inputs) == "latest/Team One")
        #expect(try render("<< inputs.replicas | int >> << \"12\" | int >> << \"x\" | int >> << inputs.flag | int >>", inputs)
                == "3 12 0 1")
        #expect(try render("<< inputs.flag | toString | quote >> << toString nil >>", inputs) == "\"true\" <nil>")
        #expect(try render("<< quote \"a\" nil 1 >>") == "\"a\" \"1\"")
        #expect(try render("<< inputs.q | quote >>", ["q": .string("a\"b\\c\n\u{1}\u{a0}é\u{1F600}\u{2028}")])
                == #""a\"b\\c\n\x01\u00a0é😀\u2028""#)
        #expect(try render("<< (inputs.name | slugify) >>", inputs) == "team-one")
        #expect(try render("<< \"  R&D @ Big_Co's -- API!! \" | slugify >>") == "randd-at-big_cos-api")
        let long = String(repeating: "abcdefghi-", count: 8)  // 80 chars: smart-truncated at the last dash before 64
        #expect(try render("<< \"\(long)\" | slugify >>") == String(long.prefix(59)))
        // A dash at index 63 itself is a cut point (gosimple/slug checks text[MaxLength]).
        let edge = String(repeating: "a", count: 10) + "-" + String(repeating: "b", count: 52) + "-c"
        #expect(try render("<< \"\(edge)\" | slugify >>") == String(edge.prefix(63)))
        expectFailure("<< \"é\" | slugify >>", "slugify: non-ASCII", line: 1, column: 10)
        expectFailure("<< inputs.replicas | lower >>", inputs, "lower: expected string, got number", line: 1, column: 22)
        expectFailure("<< quote | lower \"a\" >>", "wrong number of args for lower: want 1 got 2", line: 1, column: 12)
    }

    @Test func comparisonsAndLogic() throws {
        #expect(try render("<< eq \"b\" \"a\" \"b\" >> << ne 1 2 >> << not \"\" >> << eq nil nil >> << eq \"x\" nil >>")
                == "true true true true false")
        #expect(try render("<< eq inputs.f 2 >>|<< eq 2 3 | not >>|<< and 1 \"x\" >>|<< and 0 \"x\" >>|<< or \"\" \"y\" >>|<< or \"\" 0 >>",
                           ["f": .number("2.0")]) == "true|true|x|0|y|0")
        // and/or short-circuit, so the failing index is never evaluated.
        #expect(try render("<< and \"\" (index nil 1) >><< or \"z\" (index nil 1) >>") == "z")
        expectFailure("<< eq \"1\" 1 >>", "incompatible types for comparison", line: 1, column: 4)
        expectFailure("<< eq inputs.l inputs.l >>", ["l": .list([])], "non-comparable type list", line: 1, column: 4)
        expectFailure("<< eq 1 >>", "wrong number of args for eq: want at least 2 got 1", line: 1, column: 4)
    }

    @Test func truthiness() throws {
        let falsy: [TemplateValue] = [.string(""), .bool(false), .number("0"), .number("0.0"), .null, .list([]), .map([:])]
        let truthy: [TemplateValue] = [.string("0"), .string("false"), .bool(true), .number("1"), .number("-0.5"),
                                       .list([.null]), .map(["k": .null])]
        for v in falsy { #expect(try render("<< if inputs.v >>T<< else >>F<< end >>", ["v": v]) == "F", "\(v)") }
        for v in truthy { #expect(try render("<< if inputs.v >>T<< else >>F<< end >>", ["v": v]) == "T", "\(v)") }
    }

    // MARK: unsupported constructs and syntax errors

    @Test func unsupportedConstructsNameTheConstructAndPosition() {
        expectFailure("a\n  <<- range $c := inputs.components >>x<< end >>", "unsupported template construct 'range'", line: 2, column: 7)
        expectFailure("<< with inputs.a >>x<< end >>", "unsupported template construct 'with'", line: 1, column: 4)
        expectFailure("x\n\n<<define \"t\">>y<<end>>", "unsupported template construct 'define'", line: 3, column: 3)
        expectFailure("<< template \"t\" >>", "unsupported template construct 'template'", line: 1, column: 4)
        expectFailure("<< block \"t\" . >>x<< end >>", "unsupported template construct 'block'", line: 1, column: 4)
        expectFailure("<< $x := inputs.a >>", "unsupported template construct '$x'", line: 1, column: 4)
        expectFailure("<< . >>", "unsupported template construct '.'", line: 1, column: 4)
        expectFailure("<< .Values.x >>", "unsupported template construct '.Values'", line: 1, column: 4)
        expectFailure("<< 'a' >>", "unsupported template construct 'character constant'", line: 1, column: 4)
        expectFailure("<< 1.5 >>", "unsupported template construct 'number literal 1.5'", line: 1, column: 4)
        expectFailure("<< \"\\x41\" >>", "unsupported template construct 'string escape \\x'", line: 1, column: 5)
        expectFailure("<< \"é\\u00e9\" >>", "unsupported template construct 'string escape \\u'", line: 1, column: 6)
        expectFailure("é: << inputs.v | toYaml | nindent 4 >>", "unsupported template function 'toYaml'", line: 1, column: 18)
        expectFailure("<< printf \"%s-q\" inputs.t >>", "unsupported template function 'printf'", line: 1, column: 4)
        expectFailure("<< if inputs.a >><< else with inputs.b >><< end >>", "unsupported template construct 'with'", line: 1, column: 26)
    }

    @Test func syntaxErrors() throws {
        expectFailure("a: b\nc: << inputs.x\n", "unclosed action", line: 2, column: 4)
        expectFailure("a: << \"x >>", "unterminated quoted string", line: 1, column: 7)
        expectFailure("a\n<< end >>", "unexpected <<end>> without matching <<if>>", line: 2, column: 1)
        expectFailure("<< if true >>x<< end >><< end >>", "unexpected <<end>>", line: 1, column: 24)
        expectFailure("<< else >>", "unexpected <<else>> without matching <<if>>", line: 1, column: 1)
        expectFailure("x\n<<- if true >>\nno end", "unclosed <<if>> (missing <<end>>)", line: 2, column: 1)
        expectFailure("<< if true >>a<< else >>b<< else >>c<< end >>", "unexpected <<else>> after <<else>>", line: 1, column: 26)
        expectFailure("<< if >><< end >>", "missing value for if", line: 1, column: 1)
        expectFailure("<< >>", "missing value for command", line: 1, column: 1)
        expectFailure("<< (inputs >>", "unclosed left paren", line: 1, column: 4)
        expectFailure("<< inputs) >>", "unexpected ')'", line: 1, column: 10)
        expectFailure("<< \"a\" \"b\" >>", "can't give argument to non-function", line: 1, column: 8)
        expectFailure("<< inputs | \"b\" >>", "non executable command in pipeline stage 2", line: 1, column: 13)
        expectFailure("<< index inputs\"a\" >>", "unexpected '\"a\"' in operand", line: 1, column: 16)
        expectFailure("<< nil >>", "nil is not a command", line: 1, column: 4)
        expectFailure("<< inputs.a->>", ["a": .string("x")], "bad number syntax: '-'", line: 1, column: 12)
        #expect(try render("<< inputs.a ->>\n", ["a": .string("x")]) == "x")
    }

    // MARK: hostile input

    @Test func nestingIsCapped() throws {
        let ok = String(repeating: "<< if true >>", count: 100) + "x" + String(repeating: "<< end >>", count: 100)
        #expect(try render(ok) == "x")
        let deep = String(repeating: "<< if true >>", count: 101) + String(repeating: "<< end >>", count: 101)
        expectFailure(deep, "template nesting deeper than 100 levels", line: 1, column: 1 + 100 * 13)
        let parens = "<< " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + " >>"
        expectFailure(parens, "template nesting deeper than 100 levels", line: 1, column: 104)
        let ifs = String(repeating: "<<if 1>>", count: 100_000)
        #expect(failure(ifs)?.message.contains("nesting deeper than 100") == true)
        #expect(try render("<< " + String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100) + " >>") == "1")
    }

    @Test func outputIsCapped() throws {
        let big = String(repeating: "x", count: 1 << 20)
        let t = String(repeating: "<< inputs.big >>", count: 10)
        #expect(try render(t, ["big": .string(big)]).utf8.count == 10 << 20)
        expectFailure(t + "<< inputs.big >>", ["big": .string(big)], "rendered output exceeds 10485760 bytes", line: 1, column: 164)
    }

    @Test func templateIsReusableAcrossInputs() throws {
        let t = try FluxTemplate("<< inputs.tenant >>")
        #expect(try t.render(["inputs": .map(["tenant": .string("a")])]) == "a")
        #expect(try t.render(["inputs": .map(["tenant": .string("b")])]) == "b")
        #expect(throws: FluxTemplateError.self) { try t.render(["inputs": .map([:])]) }
    }
}

import NetpolLintCore
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSON { try JSON.parse(text, maxDepth: maxDepth) }

    /// The error for `text`, nil when it parses.
    func failure(_ text: String, maxDepth: Int = 64) -> JSONParseError? {
        failure(Array(text.utf8), maxDepth: maxDepth)
    }

    func failure(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONParseError? {
        do {
            _ = try JSON.parse(bytes, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    func expectFailure(_ text: String, _ message: String, offset: Int, maxDepth: Int = 64,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let e = failure(text, maxDepth: maxDepth)
        #expect(e?.message.contains(message) == true, "got \(String(describing: e))", sourceLocation: sourceLocation)
        #expect(e?.offset == offset, "got \(String(describing: e))", sourceLocation: sourceLocation)
    }

    // MARK: valid documents

    @Test func objectsKeepKeyOrder() throws {
        let v = try parse(#" { "z": 1, "a": [true, false, null], "m": {"x": "y"}, "e": {}, "l": [] } "#)
        guard case .object(let pairs) = v else { Issue.record("not an object: \(v)"); return }
        #expect(pairs.map(\.0) == ["z", "a", "m", "e", "l"])
        #expect(v["z"] == .int(1))
        #expect(v["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(v["m"]?["x"]?.stringValue == "y")
        #expect(v["e"] == .object([]))
        #expect(v["l"] == .array([]))
        #expect(v["missing"] == nil)
    }

    @Test func scalarsAtTopLevel() throws {
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("null") == .null)
        #expect(try parse("\"x\"") == .string("x"))
        #expect(try parse(" \t\r\n42\n") == .int(42))
    }

    @Test func repeatedKeysAreKeptAndTheLastAnswers() throws {
        let v = try parse(#"{"a":1,"a":2}"#)
        #expect(v.objectValue?.count == 2)
        #expect(v["a"] == .int(2))
    }

    @Test func roundTripsThroughTheSerialiser() throws {
        let text = #"{"name":"a\"b","list":[1,-2,3.5,true,null,{"k":"\u0001\n"}],"empty":{}}"#
        let v = try parse(text)
        #expect(try parse(v.serialized()) == v)
        #expect(try parse(v.serialized(pretty: false)) == v)
    }

    @Test func byteAndStringOverloadsAgree() throws {
        let text = #"{"a":[1,"é"]}"#
        #expect(try JSON.parse(Array(text.utf8)) == (try JSON.parse(text)))
        let fromBuffer = try Array(text.utf8).withUnsafeBytes { try JSON.parse($0) }
        #expect(fromBuffer == (try JSON.parse(text)))
    }

    // MARK: strings

    @Test func escapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""\u00e9\u20AC\u0000""#) == .string("é€\u{0}"))
        #expect(try parse(#""plain é ✓ 😀""#) == .string("plain é ✓ 😀"))
        expectFailure(#""\x""#, "invalid escape", offset: 1)
        expectFailure(#""\u12G4""#, "hexadecimal", offset: 5)
        expectFailure(#""\u12"#, "unterminated \\u escape", offset: 5)
    }

    @Test func surrogatePairsAndLoneSurrogates() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""\uD834\uDD1E!""#) == .string("𝄞!"))
        // Lone surrogates become U+FFFD; a following escape is not swallowed.
        #expect(try parse(#""\ud83d""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\ud83dx""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\ude00x""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
        #expect(try parse(#""\ud83d\ud83d\ude00""#) == .string("\u{FFFD}😀"))
        #expect(try parse(#""\ude00\ud83d""#) == .string("\u{FFFD}\u{FFFD}"))
        expectFailure(#""\ud83d\u00"#, "unterminated \\u escape", offset: 11)
    }

    @Test func controlCharactersMustBeEscaped() {
        expectFailure("\"a\tb\"", "control character", offset: 2)
        expectFailure("\"a\nb\"", "control character", offset: 2)
        expectFailure("\"a\\\"\u{1}\"", "control character", offset: 4)
    }

    @Test func invalidUTF8IsRefused() {
        let q = UInt8(ascii: "\"")
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
                             [0x80], [0xF0, 0x9F, 0x98]] {
            let e = failure([q] + bad + [q])
            #expect(e?.message.contains("UTF-8") == true, "\(bad): \(String(describing: e))")
            #expect(e?.offset == 1)
        }
        #expect(failure([q, 0xF0, 0x9F, 0x98, 0x80, q]) == nil)
        // After an escape too.
        #expect(failure([q, 0x5C, 0x6E, 0xFF, q])?.offset == 3)
    }

    // MARK: numbers

    @Test func numbers() throws {
        #expect(try parse("0") == .int(0))
        #expect(try parse("-0") == .int(0))
        #expect(try parse("123") == .int(123))
        #expect(try parse("-123") == .int(-123))
        #expect(try parse("9223372036854775807") == .int(Int.max))
        #expect(try parse("-9223372036854775808") == .int(Int.min))
        #expect(try parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try parse("-9223372036854775809") == .double(-9223372036854775808))
        #expect(try parse("1.5") == .double(1.5))
        #expect(try parse("1e3") == .double(1000))
        #expect(try parse("-1.25E-2") == .double(-0.0125))
        #expect(try parse("2E+2") == .double(200))
        #expect(try parse("1e-400") == .double(0))
        expectFailure("1e400", "out of range", offset: 0)
        expectFailure("01", "unexpected '1'", offset: 1)
        expectFailure("1.", "digit after '.'", offset: 2)
        expectFailure(".5", "expected a value", offset: 0)
        expectFailure("-", "expected a digit", offset: 1)
        expectFailure("+1", "expected a value", offset: 0)
        expectFailure("1e", "exponent", offset: 2)
        expectFailure("1e+", "exponent", offset: 3)
        expectFailure("0x10", "unexpected 'x'", offset: 1)
        expectFailure("[1,]", "expected a value", offset: 3)
        expectFailure("NaN", "expected a value", offset: 0)
    }

    // MARK: structure errors

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(failure(ok) == nil)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        expectFailure(deep, "nesting deeper than 64", offset: 64)
        expectFailure(#"{"a":{"b":{"c":1}}}"#, "nesting deeper than 2", offset: 10, maxDepth: 2)
        #expect(failure(#"{"a":{"b":1}}"#, maxDepth: 2) == nil)
        // Very deep input stops at the limit without exhausting the stack.
        #expect(failure(String(repeating: "[", count: 1_000_000))?.offset == 64)
        #expect(failure(String(repeating: "{\"a\":", count: 100_000))?.message.contains("nesting") == true)
    }

    @Test func trailingGarbageIsRefused() {
        expectFailure("{} x", "unexpected 'x' after the JSON value", offset: 3)
        expectFailure("1 2", "after the JSON value", offset: 2)
        expectFailure("[1]]", "after the JSON value", offset: 3)
        expectFailure("{}\u{0}", "unexpected byte 0x00", offset: 2)
        expectFailure("\u{FEFF}{}", "expected a value", offset: 0)
    }

    @Test func malformedStructures() {
        expectFailure("", "expected a value, found end of input", offset: 0)
        expectFailure("   ", "expected a value", offset: 3)
        expectFailure(#"{"a":}"#, "expected a value", offset: 5)
        expectFailure(#"{"a" 1}"#, "expected ':'", offset: 5)
        expectFailure(#"{a:1}"#, "expected a string key", offset: 1)
        expectFailure(#"{"a":1,}"#, "expected a string key", offset: 7)
        expectFailure(#"{"a":1 "b":2}"#, "expected ',' or '}'", offset: 7)
        expectFailure("[1 2]", "expected ',' or ']'", offset: 3)
        expectFailure("tru", "invalid literal", offset: 0)
        expectFailure("nul", "invalid literal", offset: 0)
        expectFailure("[falsy]", "invalid literal", offset: 1)
        expectFailure(#""abc"#, "unterminated string", offset: 0)
        expectFailure(#"["a\"#, "unterminated string", offset: 4)
    }

    @Test func everyTruncationOfADocumentFails() throws {
        let doc = #"{"flow":{"verdict":"FORWARDED","n":-12.5e3,"s":"\ud83d\ude00 é","l":[true,false,null,{}]}}"#
        let bytes = Array(doc.utf8)
        #expect(failure(bytes) == nil)
        for n in 0..<bytes.count {
            let e = failure(Array(bytes[..<n]))
            #expect(e != nil, "prefix of \(n) bytes parsed")
            #expect((e?.offset ?? -1) <= n)
        }
    }

    @Test func garbageNeverCrashes() {
        // A fixed-seed generator: the same inputs on every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        let alphabet = Array(#"{}[]":,\/u0123456789abcdefEe.+-tnrl "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xED, 0xF0, 0xFF]
        let seed = Array(#"{"a":[1,2.5e-3,"x\u00e9\ud83d",true,null,{"b":false}]}"#.utf8)
        var parsed = 0
        for i in 0..<20_000 {
            var input: [UInt8]
            if i % 2 == 0 {
                input = (0..<Int(next() % 40)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            } else {
                input = seed
                for _ in 0...Int(next() % 4) {
                    let at = Int(next() % UInt64(input.count))
                    input[at] = alphabet[Int(next() % UInt64(alphabet.count))]
                }
            }
            if let e = failure(input) {
                #expect(e.offset >= 0 && e.offset <= input.count)
            } else {
                parsed += 1
            }
        }
        #expect(parsed > 0)
    }

    // MARK: accessors

    @Test func accessors() throws {
        let v = try parse(#"{"n":57,"s":"57","neg":"-3","plus":"+5","hex":"5a","d":133.0,"f":1.5,"b":true,"a":[1,2]}"#)
        #expect(v["n"]?.intValue == 57)
        #expect(v["s"]?.intValue == 57)
        #expect(v["neg"]?.intValue == -3)
        #expect(v["plus"]?.intValue == nil)
        #expect(v["hex"]?.intValue == nil)
        #expect(v["d"]?.intValue == 133)
        #expect(v["f"]?.intValue == nil)
        #expect(v["b"]?.boolValue == true)
        #expect(v["n"]?.boolValue == nil)
        #expect(v["a"]?.arrayValue == [.int(1), .int(2)])
        #expect(v["a"]?[1] == .int(2))
        #expect(v["a"]?[2] == nil)
        #expect(v["a"]?[-1] == nil)
        #expect(v["s"]?.stringValue == "57")
        #expect(v["n"]?.stringValue == nil)
        #expect(v["a"]?["x"] == nil)
        #expect(JSON.string("99999999999999999999").intValue == nil)
        #expect(JSON.double(1e300).intValue == nil)
        #expect(JSON.double(.nan).intValue == nil)
    }

    @Test func errorDescription() {
        #expect(JSONParseError(message: "unterminated string", offset: 3).description == "unterminated string at byte 3")
    }
}

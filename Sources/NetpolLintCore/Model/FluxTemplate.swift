// Renders the subset of Go text/template that Flux Operator ResourceSets use in
// `spec.resourcesTemplate`. The operator parses templates with `Delims("<<", ">>")`, the hermetic
// slim-sprig functions, a `slugify` function, `inputs` as a zero-argument function returning the
// current input map, and `Option("missingkey=error")`. Anything outside the supported subset
// throws an error naming the construct; nothing is guessed.
//
// A lexer cuts the text into text runs and tokenised actions (applying `<<-`/`->>` trims and
// dropping comments), a recursive-descent parser builds the AST, an evaluator walks it.

/// A value bound in a template (decoded from YAML `inputs`).
public indirect enum TemplateValue: Sendable, Hashable {
    case string(String)   // YAML strings
    case number(String)   // YAML ints/floats, kept as written (rendered as written)
    case bool(Bool)
    case null
    case list([TemplateValue])
    case map([String: TemplateValue])
}

public struct FluxTemplateError: Error, Sendable, Hashable {
    public var message: String
    /// 1-based line and column inside the template text where the offending construct starts.
    public var line: Int
    public var column: Int
    public init(message: String, line: Int, column: Int) { (self.message, self.line, self.column) = (message, line, column) }
}

public struct FluxTemplate: Sendable {
    /// Deepest allowed nesting of `if` blocks and parentheses, counted together.
    public static let maxNesting = 100
    /// Largest rendered output in UTF-8 bytes (10 MiB).
    public static let maxOutputBytes = 10 * 1024 * 1024

    private let source: [UInt8]
    private let nodes: [Node]

    /// Parses the template; throws on syntax errors and unsupported constructs.
    public init(_ text: String) throws(FluxTemplateError) {
        let bytes = Array(text.utf8)
        source = bytes
        do throws(Fail) {
            var lexer = Lexer(s: bytes)
            var parser = Parser(tokens: try lexer.run())
            nodes = try parser.root()
        } catch { throw error.located(in: bytes) }
    }

    /// Renders with the given top-level bindings (the linter passes ["inputs": item]).
    public func render(_ bindings: [String: TemplateValue]) throws(FluxTemplateError) -> String {
        var evaluator = Evaluator(bindings: bindings)
        do throws(Fail) { try evaluator.run(nodes) } catch { throw error.located(in: source) }
        return String(decoding: evaluator.out, as: UTF8.self)
    }
}

/// An error at a byte offset; converted to line/column (counting code points) at the API boundary.
private struct Fail: Error {
    var message: String, pos: Int
    init(_ message: String, _ pos: Int) { (self.message, self.pos) = (message, pos) }

    func located(in s: [UInt8]) -> FluxTemplateError {
        var line = 1, column = 1
        for b in s[..<min(pos, s.count)] {
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return FluxTemplateError(message: message, line: line, column: column)
    }
}

private func unsupported(_ what: String, _ pos: Int) -> Fail { Fail("unsupported template construct '\(what)'", pos) }
private let nestingError = "template nesting deeper than \(FluxTemplate.maxNesting) levels"

// MARK: - AST

private enum Fn: String { case eq, ne, not, and, or, index, quote, `default`, lower, upper, toString, int, slugify }
private struct Field: Sendable { var name: String, pos: Int }
private indirect enum Term: Sendable { case function(Fn), binding(String), literal(TemplateValue), nilLiteral, paren(Pipe) }
private struct Operand: Sendable { var term: Term, fields: [Field], pos: Int }
/// Commands separated by `|`; each command is a function or value followed by its arguments.
private struct Pipe: Sendable { var commands: [[Operand]], pos: Int }
private struct Branch: Sendable { var condition: Pipe, body: [Node] }
private enum Node: Sendable { case text([UInt8], Int), action(Pipe), conditional([Branch], otherwise: [Node]?) }

// MARK: - Lexer

private enum Tok: Equatable {
    case text([UInt8]), open, close  // literal text, `<<`, `>>`
    case ident(String), field(String), string(String), number(String), bool(Bool), null, keyword(String)
    case leftParen, rightParen, pipe
}
/// `text` is the token as written, for error messages.
private struct Token { var tok: Tok, pos: Int, spaced = false, text = "" }

private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
private func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
private func isWord(_ c: UInt8) -> Bool { (0x41...0x5A).contains(c & 0xDF) || isDigit(c) || c == 0x5F }  // & 0xDF: upper-cases
private let escapes: [UInt8: UInt8] = [0x6E: 10, 0x74: 9, 0x72: 13, 0x61: 7, 0x62: 8, 0x66: 12, 0x76: 11, 0x5C: 0x5C, 0x22: 0x22]

private struct Lexer {
    let s: [UInt8]
    var i = 0, tokens: [Token] = []

    func at(_ literal: StaticString, _ p: Int) -> Bool {
        p + literal.utf8CodeUnitCount <= s.count
            && (0..<literal.utf8CodeUnitCount).allSatisfy { s[p + $0] == literal.utf8Start[$0] }
    }

    mutating func word() -> String {
        let start = i
        while i < s.count && isWord(s[i]) { i += 1 }
        return String(decoding: s[start..<i], as: UTF8.self)
    }

    /// Text, then for each action `open`, its tokens, `close`; trim markers applied, comments dropped.
    mutating func run() throws(Fail) -> [Token] {
        var trimLeading = false
        while true {
            var open = i
            while open < s.count && !at("<<", open) { open += 1 }
            var lo = i, hi = open, j = open + 2
            if trimLeading { while lo < hi && isSpace(s[lo]) { lo += 1 } }
            if j + 1 < s.count && s[j] == 0x2D && isSpace(s[j + 1]) {  // `<<- ` trims preceding whitespace
                while hi > lo && isSpace(s[hi - 1]) { hi -= 1 }
                j += 2
            }
            if lo < hi { tokens.append(Token(tok: .text(Array(s[lo..<hi])), pos: lo)) }
            if open >= s.count { return tokens }
            if at("/*", j) {
                var close = j + 2
                while close < s.count && !at("*/", close) { close += 1 }
                guard close < s.count else { throw Fail("unclosed comment", open) }
                i = close + 2
                if at(">>", i) { i += 2; trimLeading = false
                } else if i < s.count && isSpace(s[i]) && at("->>", i + 1) { i += 4; trimLeading = true
                } else { throw Fail("comment ends before closing delimiter", open) }
            } else {
                i = j
                tokens.append(Token(tok: .open, pos: open))
                trimLeading = try action(open)
            }
        }
    }

    /// Tokenises one action through its closing delimiter; returns whether that was ` ->>`.
    mutating func action(_ open: Int) throws(Fail) -> Bool {
        while true {
            let before = i
            while i < s.count && isSpace(s[i]) { i += 1 }
            let spaced = i > before, p = i
            guard i < s.count else { throw Fail("unclosed action", open) }
            let trim = spaced && at("->>", i)
            if trim || at(">>", i) {
                tokens.append(Token(tok: .close, pos: p))
                i += trim ? 3 : 2
                return trim
            }
            let c = Unicode.Scalar(s[i])
            var tok: Tok
            switch c {
            case "(": i += 1; tok = .leftParen
            case ")": i += 1; tok = .rightParen
            case "|": i += 1; tok = .pipe
            case "\"": tok = .string(try quoted(p))
            case "`":
                guard let end = s[(i + 1)...].firstIndex(of: 0x60) else { throw Fail("unterminated raw quoted string", p) }
                tok = .string(String(decoding: s[(i + 1)..<end], as: UTF8.self))
                i = end + 1
            case "'": throw unsupported("character constant", p)
            case "$": i += 1; throw unsupported("$" + word(), p)
            case ":", "=", ",": throw unsupported(at(":=", p) ? ":=" : String(c), p)
            case ".":
                i += 1
                let name = word()
                if name.isEmpty { throw unsupported(".", p) }
                if isDigit(name.utf8.first!) { throw unsupported("number literal ." + name, p) }
                tok = .field(name)
            case "-", "+", "0"..."9":
                i += 1
                while i < s.count && (isWord(s[i]) || s[i] == 0x2E) { i += 1 }
                let text = String(decoding: s[p..<i], as: UTF8.self)
                guard isDigit(s[p]) || p + 1 < i && isDigit(s[p + 1]) else { throw Fail("bad number syntax: '\(text)'", p) }
                // Only integers Go prints as written are kept; floats, hex, octal, `+1`, `-0` are refused.
                guard Int(text).map(String.init) == text else { throw unsupported("number literal " + text, p) }
                tok = .number(text)
            default:
                guard isWord(s[p]) else {
                    let scalar = String(decoding: s[p..<min(p + 4, s.count)], as: UTF8.self).unicodeScalars.first!
                    throw Fail("unrecognized character in action: '\(scalar)'", p)
                }
                let w = word()
                switch w {
                case "if", "else", "end": tok = .keyword(w)
                case "true", "false": tok = .bool(w == "true")
                case "nil": tok = .null
                case "range", "with", "define", "template", "block", "break", "continue": throw unsupported(w, p)
                default: tok = .ident(w)
                }
            }
            tokens.append(Token(tok: tok, pos: p, spaced: spaced, text: String(decoding: s[p..<i], as: UTF8.self)))
        }
    }

    /// A Go interpreted string literal with single-character escapes; `\x`, `\u`, octal are refused.
    mutating func quoted(_ p: Int) throws(Fail) -> String {
        var buf: [UInt8] = []
        i += 1
        while i < s.count && s[i] != 0x0A {
            let c = s[i]
            i += 1
            if c == 0x22 { return String(decoding: buf, as: UTF8.self) }
            if c != 0x5C { buf.append(c); continue }
            guard i < s.count else { break }
            guard let b = escapes[s[i]] else { throw unsupported("string escape \\" + String(Unicode.Scalar(s[i])), i - 1) }
            buf.append(b)
            i += 1
        }
        throw Fail("unterminated quoted string", p)
    }
}

// MARK: - Parser

private struct Parser {
    let tokens: [Token]
    var j = 0
    enum Stop { case eof, end(Int), otherwise(Int) }
    var peek: Token? { j < tokens.count ? tokens[j] : nil }

    mutating func root() throws(Fail) -> [Node] {
        switch try list(depth: 0) {
        case (let nodes, .eof): return nodes
        case (_, .end(let p)): throw Fail("unexpected <<end>> without matching <<if>>", p)
        case (_, .otherwise(let p)): throw Fail("unexpected <<else>> without matching <<if>>", p)
        }
    }

    /// Parses nodes until EOF or an `end`/`else` keyword, which it hands back to the caller.
    mutating func list(depth: Int) throws(Fail) -> ([Node], Stop) {
        var nodes: [Node] = []
        while let t = peek {
            j += 1
            if case .text(let bytes) = t.tok { nodes.append(.text(bytes, t.pos)); continue }
            switch peek?.tok {  // t opened an action
            case .keyword("end"):
                j += 1
                try expectClose("in <<end>>")
                return (nodes, .end(t.pos))
            case .keyword("else"): j += 1; return (nodes, .otherwise(t.pos))
            case .keyword("if"): j += 1; nodes.append(try conditional(t.pos, depth: depth + 1))
            default: nodes.append(.action(try pipeline(t.pos, depth: depth, what: "command")))
            }
        }
        return (nodes, .eof)
    }

    /// `if` / `else if` chains become one flat node, so long chains do not deepen the recursion.
    mutating func conditional(_ p: Int, depth: Int) throws(Fail) -> Node {
        guard depth <= FluxTemplate.maxNesting else { throw Fail(nestingError, p) }
        var branches: [Branch] = []
        var condition = try pipeline(p, depth: depth, what: "if")
        while true {
            let (body, stop) = try list(depth: depth)
            branches.append(Branch(condition: condition, body: body))
            switch stop {
            case .eof: throw Fail("unclosed <<if>> (missing <<end>>)", p)
            case .end: return .conditional(branches, otherwise: nil)
            case .otherwise(let elsePos):
                if peek?.tok == .keyword("if") {
                    j += 1
                    condition = try pipeline(elsePos, depth: depth, what: "if")
                    continue
                }
                try expectClose("in <<else>>")
                switch try list(depth: depth) {
                case (let body, .end): return .conditional(branches, otherwise: body)
                case (_, .eof): throw Fail("unclosed <<if>> (missing <<end>>)", p)
                case (_, .otherwise(let p2)): throw Fail("unexpected <<else>> after <<else>>", p2)
                }
            }
        }
    }

    mutating func expectClose(_ context: String) throws(Fail) {
        let t = tokens[j]  // the lexer ends every action with `close`
        j += 1
        if t.tok != .close { throw Fail("unexpected '\(t.text)' \(context)", t.pos) }
    }

    /// The rest of an action: a pipeline, then `close`.
    mutating func pipeline(_ open: Int, depth: Int, what: String) throws(Fail) -> Pipe {
        if peek?.tok == .close { throw Fail("missing value for \(what)", open) }
        let p = try pipe(depth: depth, pos: open)
        try expectClose("")
        return p
    }

    mutating func pipe(depth: Int, pos: Int) throws(Fail) -> Pipe {
        var commands: [[Operand]] = []
        repeat {
            if !commands.isEmpty { j += 1 }  // the `|`
            commands.append(try command(depth: depth, stage: commands.count, pos: pos))
        } while peek?.tok == .pipe
        return Pipe(commands: commands, pos: commands[0][0].pos)
    }

    mutating func command(depth: Int, stage: Int, pos: Int) throws(Fail) -> [Operand] {
        var args: [Operand] = []
        while let t = peek, ![.pipe, .rightParen, .close].contains(t.tok) {
            if !args.isEmpty && !t.spaced { throw Fail("unexpected '\(t.text)' in operand", t.pos) }
            args.append(try operand(depth: depth))
        }
        guard let head = args.first else { throw Fail("missing value for command", peek?.pos ?? pos) }
        switch head.term {
        case .function: break
        case .binding(let name) where head.fields.isEmpty && (args.count > 1 || stage > 0):
            throw Fail("unsupported template function '\(name)'", head.pos)
        case .nilLiteral: throw Fail("nil is not a command", head.pos)
        default:
            if args.count > 1 { throw Fail("can't give argument to non-function", args[1].pos) }
            if stage > 0 { throw Fail("non executable command in pipeline stage \(stage + 1)", head.pos) }
        }
        return args
    }

    mutating func operand(depth: Int) throws(Fail) -> Operand {
        let t = tokens[j]
        j += 1
        let term: Term
        switch t.tok {
        case .ident(let n): term = Fn(rawValue: n).map { Term.function($0) } ?? .binding(n)
        case .string(let v): term = .literal(.string(v))
        case .number(let v): term = .literal(.number(v))
        case .bool(let b): term = .literal(.bool(b))
        case .null: term = .nilLiteral
        case .field(let n): throw unsupported("." + n, t.pos)  // a field of dot; dot is never bound
        case .leftParen:
            guard depth < FluxTemplate.maxNesting else { throw Fail(nestingError, t.pos) }
            term = .paren(try pipe(depth: depth + 1, pos: t.pos))
            guard peek?.tok == .rightParen else { throw Fail("unclosed left paren", t.pos) }
            j += 1
        default: throw Fail("unexpected '\(t.text)' in command", t.pos)
        }
        var fields: [Field] = []
        while let f = peek, case .field(let name) = f.tok, !f.spaced {
            fields.append(Field(name: name, pos: f.pos))
            j += 1
        }
        return Operand(term: term, fields: fields, pos: t.pos)
    }
}

// MARK: - Evaluator

private struct Evaluator {
    let bindings: [String: TemplateValue]
    var out: [UInt8] = []

    mutating func emit(_ bytes: some Collection<UInt8>, _ p: Int) throws(Fail) {
        guard out.count + bytes.count <= FluxTemplate.maxOutputBytes else {
            throw Fail("rendered output exceeds \(FluxTemplate.maxOutputBytes) bytes", p)
        }
        out.append(contentsOf: bytes)
    }

    mutating func run(_ nodes: [Node]) throws(Fail) {
        for node in nodes {
            switch node {
            case .text(let t, let p): try emit(t, p)
            case .action(let pipe): try emit(display(try eval(pipe), top: true).utf8, pipe.pos)
            case .conditional(let branches, let otherwise):
                var chosen = otherwise ?? []
                for b in branches {
                    if try truth(eval(b.condition), b.condition.pos) { chosen = b.body; break }
                }
                try run(chosen)
            }
        }
    }

    func eval(_ pipe: Pipe) throws(Fail) -> TemplateValue {
        var piped: TemplateValue?
        for args in pipe.commands {
            guard case .function(let fn) = args[0].term else { piped = try value(args[0]); continue }
            piped = try fields(call(fn, args.dropFirst(), piped, args[0].pos), args[0].fields)
        }
        return piped ?? .null
    }

    func value(_ o: Operand) throws(Fail) -> TemplateValue {
        let v: TemplateValue
        switch o.term {
        case .literal(let x): v = x
        case .nilLiteral: v = .null
        case .paren(let p): v = try eval(p)
        case .function(let fn): v = try call(fn, [], nil, o.pos)
        case .binding(let n):  // `inputs`; Flux binds it as a zero-argument function
            guard let bound = bindings[n] else { throw Fail("unsupported template function '\(n)'", o.pos) }
            v = bound
        }
        return try fields(v, o.fields)
    }

    /// Field access with `missingkey=error`, as the operator configures it.
    func fields(_ start: TemplateValue, _ fs: [Field]) throws(Fail) -> TemplateValue {
        var v = start
        for f in fs {
            switch v {
            case .map(let m):
                guard let x = m[f.name] else { throw Fail("map has no entry for key \"\(f.name)\"", f.pos) }
                v = x
            case .null: throw Fail("nil pointer evaluating field \(f.name)", f.pos)
            default: throw Fail("can't evaluate field \(f.name) in type \(typeName(v))", f.pos)
            }
        }
        return v
    }

    func call(_ fn: Fn, _ rest: ArraySlice<Operand>, _ piped: TemplateValue?, _ p: Int) throws(Fail) -> TemplateValue {
        let count = rest.count + (piped == nil ? 0 : 1)
        func arity(_ ok: Bool, _ want: String) throws(Fail) {
            if !ok { throw Fail("wrong number of args for \(fn.rawValue): want \(want) got \(count)", p) }
        }
        if fn == .and || fn == .or {  // Go 1.18+: short-circuits, yields the deciding argument
            try arity(count >= 1, "at least 1")
            var last = TemplateValue.null
            for n in 0..<count {
                last = n < rest.count ? try value(rest[rest.startIndex + n]) : piped!
                if try truth(last, p) != (fn == .and) { break }
            }
            return last
        }
        var a: [TemplateValue] = []
        for o in rest { a.append(try value(o)) }
        if let piped { a.append(piped) }
        switch fn {
        case .eq:
            try arity(count >= 2, "at least 2")
            for other in a.dropFirst() { if try equal(a[0], other, p) { return .bool(true) } }
            return .bool(false)
        case .ne: try arity(count == 2, "2"); return .bool(!(try equal(a[0], a[1], p)))
        case .not: try arity(count == 1, "1"); return .bool(!(try truth(a[0], p)))
        case .index: try arity(count >= 1, "at least 1"); return try index(a, p)
        case .quote:  // sprig: nil arguments are skipped, the rest %q-quoted and space-joined
            return .string(a.filter { $0 != .null }.map { goQuote(display($0, top: false)) }.joined(separator: " "))
        case .default:  // sprig: `default d given` yields given unless it is empty
            try arity(count >= 1, "at least 1")
            if a.count > 1, try truth(a[1], p) { return a[1] }
            return a[0]
        case .lower, .upper: try arity(count == 1, "1"); return .string(try caseMap(string(a[0], fn, p), upper: fn == .upper, p))
        case .toString: try arity(count == 1, "1"); return .string(display(a[0], top: false))
        case .int: try arity(count == 1, "1"); return .number(String(try toInt(a[0], p)))
        case .slugify: try arity(count == 1, "1"); return .string(try slugify(string(a[0], fn, p), p))
        case .and, .or: preconditionFailure("handled above")
        }
    }

    /// Go's `index`: a missing map key yields nil rather than an error.
    func index(_ a: [TemplateValue], _ p: Int) throws(Fail) -> TemplateValue {
        var item = a[0]
        if item == .null { throw Fail("index of untyped nil", p) }
        func position(_ key: TemplateValue, _ count: Int) throws(Fail) -> Int {
            guard case .number(let s) = key, let n = Int(s) else { throw Fail("cannot index slice/array with type \(typeName(key))", p) }
            guard n >= 0 && n < count else { throw Fail("index out of range: \(n)", p) }
            return n
        }
        for key in a.dropFirst() {
            switch item {
            case .null: throw Fail("index of nil pointer", p)
            case .map(let m):
                guard case .string(let k) = key else { throw Fail("value has type \(typeName(key)); should be string", p) }
                item = m[k] ?? .null
            case .list(let l): item = l[try position(key, l.count)]
            case .string(let s): item = .number(String(Array(s.utf8)[try position(key, s.utf8.count)]))
            default: throw Fail("can't index item of type \(typeName(item))", p)
            }
        }
        return item
    }
}

// MARK: - Value semantics (Go text/template and slim-sprig)

private func typeName(_ v: TemplateValue) -> String {
    switch v {
    case .string: "string"
    case .number: "number"
    case .bool: "bool"
    case .null: "nil"
    case .list: "list"
    case .map: "map"
    }
}

private func string(_ v: TemplateValue, _ fn: Fn, _ p: Int) throws(Fail) -> String {
    guard case .string(let s) = v else { throw Fail("\(fn.rawValue): expected string, got \(typeName(v))", p) }
    return s
}

private func numeric(_ s: String, _ p: Int) throws(Fail) -> Double {
    guard let d = Double(s) else { throw Fail("cannot interpret number '\(s)'", p) }
    return d
}

/// Go's truth: empty string/list/map, false, zero and nil are false.
private func truth(_ v: TemplateValue, _ p: Int) throws(Fail) -> Bool {
    switch v {
    case .string(let s): !s.isEmpty
    case .number(let s): try numeric(s, p) != 0
    case .bool(let b): b
    case .null: false
    case .list(let l): !l.isEmpty
    case .map(let m): !m.isEmpty
    }
}

/// Go's `eq` for one pair: nil equals only nil; differing kinds and lists/maps are errors.
private func equal(_ a: TemplateValue, _ b: TemplateValue, _ p: Int) throws(Fail) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.null, _), (_, .null): return false
    case let (.string(x), .string(y)): return x.utf8.elementsEqual(y.utf8)
    case let (.bool(x), .bool(y)): return x == y
    case let (.number(x), .number(y)):
        if let i = Int(x), let j = Int(y) { return i == j }
        return try numeric(x, p) == numeric(y, p)
    case (.list, .list), (.map, .map): throw Fail("non-comparable type \(typeName(a))", p)
    default: throw Fail("incompatible types for comparison: \(typeName(a)) and \(typeName(b))", p)
    }
}

/// fmt's %v. Nil prints as text/template prints it at top level (`<no value>`), nested as `<nil>`.
private func display(_ v: TemplateValue, top: Bool) -> String {
    switch v {
    case .string(let s), .number(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .null: return top ? "<no value>" : "<nil>"
    case .list(let l): return "[" + l.map { display($0, top: false) }.joined(separator: " ") + "]"
    case .map(let m):
        let keys = m.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return "map[" + keys.map { "\($0):\(display(m[$0]!, top: false))" }.joined(separator: " ") + "]"
    }
}

private let namedEscapes: [UInt32: String] = [7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"]

/// strconv.Quote: printable runes kept (IsPrint: letters, marks, numbers, punctuation, symbols,
/// ASCII space), others escaped with lower-case hex.
private func goQuote(_ s: String) -> String {
    var r = "\""
    for u in s.unicodeScalars {
        if u == "\"" || u == "\\" { r += "\\" + String(u); continue }
        switch u.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: break
        case .spaceSeparator where u != " ": break
        default: r.unicodeScalars.append(u); continue
        }
        let (prefix, width) = u.value < 0x20 || u.value == 0x7F ? ("\\x", 2) : u.value < 0x10000 ? ("\\u", 4) : ("\\U", 8)
        let hex = String(u.value, radix: 16)
        r += namedEscapes[u.value] ?? prefix + String(repeating: "0", count: width - hex.count) + hex
    }
    return r + "\""
}

/// strings.ToLower/ToUpper (per-rune simple case mapping); refuses runes whose mapping is not one rune.
private func caseMap(_ s: String, upper: Bool, _ p: Int) throws(Fail) -> String {
    var r = String.UnicodeScalarView()
    for u in s.unicodeScalars {
        let mapped = (upper ? u.properties.uppercaseMapping : u.properties.lowercaseMapping).unicodeScalars
        guard mapped.count == 1 else {
            throw Fail("\(upper ? "upper" : "lower"): no single-rune case mapping for U+\(String(u.value, radix: 16, uppercase: true))", p)
        }
        r.append(mapped.first!)
    }
    return String(r)
}

/// slim-sprig `int` (toInt64): strings via ParseInt (else 0), numbers truncated, bools 1/0, others 0.
private func toInt(_ v: TemplateValue, _ p: Int) throws(Fail) -> Int {
    switch v {
    case .string(let s): return Int(s) ?? 0
    case .number(let s):
        if let i = Int(s) { return i }
        let d = try numeric(s, p)
        guard d.isFinite && abs(d) < 9.2e18 else { throw Fail("int: number \(s) is out of range", p) }
        return Int(d)
    case .bool(let b): return b ? 1 : 0
    default: return 0
    }
}

/// gosimple/slug `Make` as the operator configures it (English substitutions, quotes dropped,
/// max length 63 with smart truncate). Non-ASCII needs unidecode transliteration: refused.
private func slugify(_ s: String, _ p: Int) throws(Fail) -> String {
    guard s.utf8.allSatisfy({ $0 < 0x80 }) else { throw Fail("slugify: non-ASCII text needs transliteration, which is not supported", p) }
    let goSpace = { (c: UInt8) in (0x09...0x0D).contains(c) || c == 0x20 }
    var input = s.utf8[...]  // strings.TrimSpace
    while let c = input.first, goSpace(c) { input.removeFirst() }
    while let c = input.last, goSpace(c) { input.removeLast() }
    var out: [UInt8] = []
    for c in input where c != 0x22 && c != 0x27 {  // quotes are dropped, & and @ spelled out
        for var x in c == 0x26 ? Array("and".utf8) : c == 0x40 ? Array("at".utf8) : [c] {
            if (0x41...0x5A).contains(x) { x += 0x20 }
            if !isWord(x) { x = 0x2D }
            if x != 0x2D || out.last != 0x2D { out.append(x) }
        }
    }
    let trimmable = { (c: UInt8) in c == 0x2D || c == 0x5F }
    var slug = out.drop(while: trimmable)
    while let last = slug.last, trimmable(last) { slug.removeLast() }
    if slug.count > 63 { slug = slug.prefix(64).lastIndex(of: 0x2D).map { slug[..<$0] } ?? slug.prefix(63) }
    return String(decoding: slug, as: UTF8.self)
}

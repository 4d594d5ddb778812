/// A traffic matrix read from a markdown table in the team's own design document (`spec.matrix.markdown`), so the
/// table people maintain is the one that is audited. GitHub-flavoured pipe tables: a header row, a delimiter row
/// (`|---|:---:|`), then body rows; each cell keeps its line and column for error messages.
struct MarkdownTable {
    struct Cell {
        var text: String
        var line: Int
        var column: Int
    }

    /// The last heading above the table (`## Traffic matrix`), without its `#`s.
    var heading: String?
    var header: [Cell]
    var rows: [[Cell]]

    /// Lower case, letters and digits only, single spaces: how headers and names are compared.
    static func normalise(_ s: String) -> String {
        var out = ""
        var space = false
        for ch in s.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "*" {
                if space && !out.isEmpty { out.append(" ") }
                out.append(ch)
                space = false
            } else {
                space = true
            }
        }
        return out
    }

    /// A cell's text without markdown emphasis or code marks: `` `voting-api` `` → `voting-api`.
    static func clean(_ s: String) -> String {
        var t = Substring(s)
        while let f = t.first, f == " " || f == "\t" { t = t.dropFirst() }
        while let l = t.last, l == " " || l == "\t" { t = t.dropLast() }
        for mark in ["**", "__", "`"] where t.count > 2 * mark.count && t.hasPrefix(mark) && t.hasSuffix(mark) {
            t = t.dropFirst(mark.count).dropLast(mark.count)
        }
        return String(t).replacingAll("\\|", with: "|")
    }

    /// Splits a table line into cells at unescaped `|` outside code spans; columns are 1-based code points.
    static func cells(_ line: String, lineNumber: Int) -> [Cell] {
        var out: [Cell] = []
        var current = ""
        var start = 1, column = 0
        var inCode = false
        var previous: Character = " "
        var chars = Array(line)
        // Leading and trailing pipes delimit the row, not cells.
        var first = 0
        while first < chars.count, chars[first] == " " || chars[first] == "\t" { first += 1 }
        if first < chars.count, chars[first] == "|" { first += 1 }
        var last = chars.count
        while last > first, chars[last - 1] == " " || chars[last - 1] == "\t" { last -= 1 }
        if last > first, chars[last - 1] == "|", last < 2 || chars[last - 2] != "\\" { last -= 1 }
        chars = Array(chars[first..<last])
        column = first
        start = first + 1
        for ch in chars {
            column += 1
            if ch == "`" { inCode.toggle() }
            if ch == "|" && !inCode && previous != "\\" {
                out.append(Cell(text: current, line: lineNumber, column: start))
                current = ""
                start = column + 1
            } else {
                current.append(ch)
            }
            previous = ch
        }
        out.append(Cell(text: current, line: lineNumber, column: start))
        // Point at the text, not at the padding before it.
        return out.map { c in
            var c = c
            let lead = c.text.prefix { $0 == " " || $0 == "\t" }.count
            c.column += lead
            c.text = clean(c.text)
            return c
        }
    }

    static func isDelimiter(_ line: String) -> Bool {
        let t = line.filter { $0 != " " && $0 != "\t" }
        guard t.contains("-"), t.contains("|") || t.hasPrefix(":") || t.hasPrefix("-") else { return false }
        return t.allSatisfy { $0 == "|" || $0 == "-" || $0 == ":" }
    }

    /// Every pipe table of a document, with the heading above each.
    static func parse(_ text: String) -> [MarkdownTable] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
        var tables: [MarkdownTable] = []
        var heading: String?
        var i = 0
        var fence = false
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { fence.toggle(); i += 1; continue }
            if fence { i += 1; continue }
            if trimmed.hasPrefix("#") {
                heading = String(trimmed.drop { $0 == "#" }.trimmingSpaces())
                i += 1
                continue
            }
            if line.contains("|"), i + 1 < lines.count, isDelimiter(lines[i + 1]) {
                var table = MarkdownTable(heading: heading, header: cells(line, lineNumber: i + 1), rows: [])
                i += 2
                while i < lines.count, lines[i].contains("|"), !lines[i].drop(while: { $0 == " " }).isEmpty {
                    table.rows.append(cells(lines[i], lineNumber: i + 1))
                    i += 1
                }
                tables.append(table)
                continue
            }
            i += 1
        }
        return tables
    }

    /// Header words → matrix columns.
    static let headerColumns: [String: String] = [
        "name": "name", "flow": "name", "id": "name",
        "source namespace": "srcNamespace", "src namespace": "srcNamespace", "from namespace": "srcNamespace",
        "srcnamespace": "srcNamespace",
        "source component": "srcComponent", "src component": "srcComponent", "from component": "srcComponent",
        "srccomponent": "srcComponent", "source pods": "srcComponent",
        "destination namespace": "dstNamespace", "dst namespace": "dstNamespace", "to namespace": "dstNamespace",
        "target namespace": "dstNamespace", "dstnamespace": "dstNamespace",
        "destination component": "dstComponent", "dst component": "dstComponent", "to component": "dstComponent",
        "target component": "dstComponent", "dstcomponent": "dstComponent", "destination pods": "dstComponent",
        "port": "port", "ports": "port", "destination port": "port",
        "protocol": "protocol", "proto": "protocol",
        "expect": "expect", "expected": "expect", "expectation": "expect", "action": "expect", "verdict": "expect",
        "expected result": "expect", "result": "expect",
        "purpose": "purpose", "description": "purpose", "reason": "purpose", "notes": "purpose",
    ]

    /// The words a table may use for an expectation.
    static func expectation(_ text: String) -> String? {
        let t = normalise(text)
        if text.contains("✅") || ["allow", "allowed", "success", "yes", "permit", "permitted", "open"].contains(where: { t == $0 || t.hasPrefix($0 + " ") }) { return "allow" }
        if text.contains("❌") || ["deny", "denied", "blocked", "block", "no", "drop", "dropped", "refused"].contains(where: { t == $0 || t.hasPrefix($0 + " ") }) { return "deny" }
        return nil
    }

    /// A short row name from free text: `Serve frontend to users` → `serve-frontend-to-users`.
    static func slug(_ s: String) -> String {
        let words = normalise(s).split(separator: " ").prefix(6)
        return words.joined(separator: "-").filter { $0 != "*" }
    }
}

extension SpecReader {
    /// Rows of the markdown tables `spec.matrix.markdown` names: `{file, table, expect}` or a list of them. `file`
    /// is relative to the spec; `table` is a heading's text (the first table under the first heading containing it,
    /// case-insensitive) or a 1-based number; `expect` applies to rows when the table has no expect column.
    mutating func markdownRows(_ n: Int32, names: [String: Cell], components: [String: BaselineSpec.Component],
                               already: Int) -> [(cells: [String: Cell], position: Cell)] {
        let sources = doc.kind(n) == .sequence ? Array(doc.items(n)) : [n]
        var out: [(cells: [String: Cell], position: Cell)] = []
        var rowNames = Set<String>()
        for source in sources {
            guard let f = fields(source, "matrix.markdown", known: ["file", "table", "expect"], required: ["file"]),
                  let fileCell = cell(f["file"]?.value, "matrix.markdown.file") else { continue }
            var defaultExpect = "allow"
            if let e = f["expect"]?.value, let c = cell(e, "expect") {
                if expectation(c, "matrix.markdown") != nil { defaultExpect = c.text }
            }
            let file = fileCell.text.hasPrefix("/") ? fileCell.text : FilePath.join(FilePath.dirname(path), fileCell.text)
            let text: String
            switch FileReader.readFile(file, limit: BaselineSpec.maxFileSize) {
            case .bytes(let b): text = String(decoding: b, as: UTF8.self)
            case .tooLarge(let size):
                error(fileCell, "'\(fileCell.text)' is \(size) bytes; the limit is \(BaselineSpec.maxFileSize >> 20) MB")
                continue
            case .failed(let reason):
                error(fileCell, "cannot read the markdown document '\(file)': \(reason)")
                continue
            }
            let tables = MarkdownTable.parse(text)
            var chosen: MarkdownTable?
            if let t = f["table"]?.value, let c = cell(t, "matrix.markdown.table") {
                if let k = Int(c.text) {
                    guard (1...max(1, tables.count)).contains(k), k <= tables.count else {
                        error(c, "'\(fileCell.text)' has \(tables.count) table\(tables.count == 1 ? "" : "s"); there is no table \(k)")
                        continue
                    }
                    chosen = tables[k - 1]
                } else {
                    let want = MarkdownTable.normalise(c.text)
                    chosen = tables.first { MarkdownTable.normalise($0.heading ?? "").contains(want) }
                    if chosen == nil {
                        let headings = Array(Set(tables.compactMap(\.heading)))
                        var message = "no table in '\(fileCell.text)' is under a heading containing '\(c.text)'"
                        if let s = Suggest.closest(c.text, in: headings, caseInsensitive: true) { message += "; did you mean '\(s)'?" }
                        else if !headings.isEmpty { message += " (headings with tables: \(headings.sorted().prefix(6).joined(separator: ", ")))" }
                        error(c, message)
                        continue
                    }
                }
            } else {
                chosen = tables.first { t in
                    let cols = Set(t.header.compactMap { MarkdownTable.headerColumns[MarkdownTable.normalise($0.text)] })
                    return cols.contains("srcNamespace") && cols.contains("dstNamespace")
                }
                if chosen == nil {
                    error(fileCell, "no table in '\(fileCell.text)' has source and destination namespace columns; name one with matrix.markdown.table")
                    continue
                }
            }
            guard let table = chosen else { continue }
            let markdownPath = fileCell.text.hasPrefix("/") ? fileCell.text : FilePath.normalize(FilePath.join(FilePath.dirname(path), fileCell.text))
            func located(_ c: MarkdownTable.Cell) -> Cell { Cell(text: c.text, path: markdownPath, line: c.line, column: c.column) }
            var columns: [Int: String] = [:]
            for (i, h) in table.header.enumerated() {
                if let c = MarkdownTable.headerColumns[MarkdownTable.normalise(h.text)] { columns[i] = c }
            }
            for required in ["srcNamespace", "dstNamespace", "port"] where !columns.values.contains(required) {
                error(located(table.header.first ?? MarkdownTable.Cell(text: "", line: 1, column: 1)),
                      "the table has no \(required == "port" ? "port" : required == "srcNamespace" ? "source namespace" : "destination namespace") column (its columns: \(table.header.map(\.text).joined(separator: ", ")))")
            }
            guard ["srcNamespace", "dstNamespace", "port"].allSatisfy(columns.values.contains) else { continue }
            for (ri, row) in table.rows.enumerated() {
                if already + out.count >= BaselineSpec.maxRows { break }
                guard row.count == table.header.count else {
                    error(located(row.first ?? MarkdownTable.Cell(text: "", line: 1, column: 1)),
                          "this table row has \(row.count) cells; its header has \(table.header.count)")
                    continue
                }
                var raw: [String: Cell] = [:]
                for (i, c) in row.enumerated() { if let col = columns[i] { raw[col] = located(c) } }
                let position = located(row[0])
                // Namespaces: "`a` or `b`", "a, b", "All namespaces", or a word of matrix.names.
                func namespaces(_ key: String) -> [Cell]? {
                    guard let c = raw[key] else { return nil }
                    if let mapped = names[MarkdownTable.normalise(c.text)] { return [Cell(text: mapped.text, path: c.path, line: c.line, column: c.column)] }
                    let n = MarkdownTable.normalise(c.text)
                    if n == "all namespaces" || n == "all" || n == "*" || n == "any namespace" { return [Cell(text: "*", path: c.path, line: c.line, column: c.column)] }
                    var parts: [String] = []
                    for piece in c.text.replacingAll(" or ", with: ",").replacingAll(" and ", with: ",").split(separator: ",") {
                        let p = MarkdownTable.clean(String(piece).filter { $0 != "`" })
                        if !p.isEmpty { parts.append(names[MarkdownTable.normalise(p)]?.text ?? p) }
                    }
                    return parts.map { Cell(text: $0, path: c.path, line: c.line, column: c.column) }
                }
                func component(_ key: String) -> Cell? {
                    guard let c = raw[key] else { return nil }
                    let n = MarkdownTable.normalise(c.text)
                    if let mapped = names[n] { return Cell(text: mapped.text, path: c.path, line: c.line, column: c.column) }
                    if components[c.text] != nil { return c }
                    if n.isEmpty || n == "*" || n == "all pods" || n == "any" || n == "any pod" || n == "all" {
                        return Cell(text: "*", path: c.path, line: c.line, column: c.column)
                    }
                    var message = "'\(c.text)' is not a component of the spec; map it in matrix.names (e.g. \"\(c.text)\": COMPONENT or \"*\")"
                    if let s = Suggest.closest(c.text, in: Array(components.keys), caseInsensitive: true) { message += "; did you mean '\(s)'?" }
                    error(c, message)
                    return nil
                }
                let srcs = namespaces("srcNamespace") ?? [], dsts = namespaces("dstNamespace") ?? []
                var cells = raw
                cells.removeValue(forKey: "purpose")
                if raw["srcComponent"] != nil { guard let c = component("srcComponent") else { continue }; cells["srcComponent"] = c }
                if raw["dstComponent"] != nil { guard let c = component("dstComponent") else { continue }; cells["dstComponent"] = c }
                if let e = raw["expect"] {
                    guard let word = MarkdownTable.expectation(e.text) else {
                        error(e, "'\(e.text)' is not an expectation (allow, allowed, ✅, success / deny, denied, blocked, ❌)")
                        continue
                    }
                    cells["expect"] = Cell(text: word, path: e.path, line: e.line, column: e.column)
                } else {
                    cells["expect"] = Cell(text: defaultExpect, path: position.path, line: position.line, column: position.column)
                }
                if let p = raw["port"] {
                    // `80/TCP` in one cell.
                    let parts = p.text.split(separator: "/")
                    if parts.count == 2, raw["protocol"] == nil {
                        cells["port"] = Cell(text: String(parts[0]), path: p.path, line: p.line, column: p.column)
                        cells["protocol"] = Cell(text: String(parts[1]).uppercased(), path: p.path, line: p.line, column: p.column)
                    }
                }
                if let proto = cells["protocol"] { cells["protocol"]?.text = proto.text.uppercased() }
                let base = raw["name"]?.text ?? raw["purpose"].map { MarkdownTable.slug($0.text) }.flatMap { $0.isEmpty ? nil : $0 }
                    ?? "\(MarkdownTable.slug(table.heading ?? "table"))-\(ri + 1)"
                for s in srcs {
                    for d in dsts {
                        var c = cells
                        c["srcNamespace"] = s
                        c["dstNamespace"] = d
                        var name = base
                        if srcs.count > 1 { name += "-from-\(s.text)" }
                        if dsts.count > 1 { name += "-to-\(d.text)" }
                        var unique = name, k = 2
                        while !rowNames.insert(unique).inserted { unique = "\(name)-\(k)"; k += 1 }
                        c["name"] = Cell(text: unique, path: position.path, line: position.line, column: position.column)
                        out.append((c, position))
                    }
                }
            }
        }
        return out
    }
}

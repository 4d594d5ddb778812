/// SARIF 2.1.0 for GitHub code scanning (INTEGRATIONS.md §A): repository-relative URIs with `%SRCROOT%`, rule
/// metadata from the rule list, `partialFingerprints` that do not depend on line numbers.
public struct SARIFReporter: Reporter {
    public init() {}

    public func render(_ report: LintReport) -> String {
        let rules = report.rules
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.id, $0) })
        let results: [JSON] = report.findings.map { f in
            let file = report.files[Int(f.span.file)]
            var pairs: [(String, JSON)] = [
                ("ruleId", .string(f.ruleID)),
                ("ruleIndex", .int(index[f.ruleID] ?? 0)),
                ("level", .string(f.severity.rawValue)),
                ("message", .object([("text", .string(f.message))])),
            ]
            var location = Self.location(f.span, file)
            if let o = f.object, let summary = report.objectSummaries[o] {
                location.append(("logicalLocations", .array([.object([
                    ("name", .string(summary.name)),
                    ("fullyQualifiedName", .string(summary.qualifiedName)),
                    ("kind", .string("object")),
                ])])))
            }
            pairs.append(("locations", .array([.object(location)])))
            if !f.related.isEmpty {
                pairs.append(("relatedLocations", .array(f.related.enumerated().map { i, r in
                    .object([("id", .int(i + 1))] + Self.location(r.span, report.files[Int(r.span.file)])
                        + [("message", .object([("text", .string(r.message))]))])
                })))
            }
            // v2: no message text (it may vary with other files) and no line number (see `Fingerprints`).
            pairs.append(("partialFingerprints", .object([("netpolLint/v2", .string(f.fingerprint))])))
            return .object(pairs)
        }
        let log = JSON.object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([
                ("tool", .object([("driver", .object([
                    ("name", .string("netpol-lint")),
                    ("version", .string(NetpolLint.version)),
                    ("semanticVersion", .string(NetpolLint.version)),
                ] + (NetpolLint.homepage.map { [("informationUri", JSON.string($0))] } ?? []) + [
                    ("rules", .array(rules.map(Self.rule))),
                ]))])),
                // No absolute path: the output is the same on every machine, and GitHub resolves relative URIs
                // against the checkout (INTEGRATIONS.md §A "Paths").
                ("originalUriBaseIds", .object([("%SRCROOT%", .object([("description", .object([("text", .string("The repository root"))]))]))])),
                ("columnKind", .string("unicodeCodePoints")),
                ("results", .array(results)),
            ])])),
        ])
        return log.serialized() + "\n"
    }

    static func location(_ s: Span, _ file: SourceFile) -> [(String, JSON)] {
        var region: [(String, JSON)] = [("startLine", .int(Int(s.line))), ("startColumn", .int(Int(s.column)))]
        if s.endLine > s.line || s.endColumn > s.column {
            region += [("endLine", .int(Int(s.endLine))), ("endColumn", .int(Int(s.endColumn)))]
        }
        return [("physicalLocation", .object([
            ("artifactLocation", .object([("uri", .string(percentEncode(file.uri))), ("uriBaseId", .string("%SRCROOT%"))])),
            ("region", .object(region)),
        ]))]
    }

    static func rule(_ d: RuleDescription) -> JSON {
        var tags: [JSON] = [.string(d.category.rawValue.lowercased()), .string("kubernetes"), .string("network-policy")]
        var props: [(String, JSON)] = [("precision", .string("high"))]
        if let s = d.securitySeverity {
            tags.append(.string("security"))
            props.append(("security-severity", .string(String(s))))
        } else {
            props.append(("problem.severity", .string(d.defaultSeverity == .note ? "recommendation" : d.defaultSeverity.rawValue)))
        }
        props.insert(("tags", .array(tags)), at: 0)
        let full = String((d.summary + ". " + firstParagraph(d.rationale)).prefix(1000))
        var helpText = "\(d.summary)\n\n\(d.rationale)\n\nHow to fix: \(d.remediation)"
        var helpMarkdown = "**\(d.id) \(d.name)**: \(d.summary)\n\n\(d.rationale)\n\n**How to fix:** \(d.remediation)"
        if let uri = d.helpURI {
            helpText += "\n\nDocumentation: \(uri)"
            helpMarkdown += "\n\n[Rule documentation](\(uri))"
        }
        return .object([
            ("id", .string(d.id)),
            ("name", .string(d.name)),
            ("shortDescription", .object([("text", .string(d.summary))])),
            ("fullDescription", .object([("text", .string(full))])),
            ("help", .object([("text", .string(helpText)), ("markdown", .string(helpMarkdown))])),
        ] + (d.helpURI.map { [("helpUri", JSON.string($0))] } ?? []) + [
            ("defaultConfiguration", .object([("level", .string(d.defaultSeverity.rawValue)),
                                              ("enabled", .bool(d.isEnabledByDefault))])),
            ("properties", .object(props)),
        ])
    }

    static func firstParagraph(_ s: String) -> String {
        (s.splitOn("\n\n").first { !$0.isEmpty } ?? "").split(separator: "\n").joined(separator: " ")
    }

    /// Percent-encodes characters that are not allowed in a URI reference path.
    static func percentEncode(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            let c = Character(Unicode.Scalar(b))
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-._~/!$&'()*+,;=:@".contains(c) {
                out.append(c)
            } else {
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}

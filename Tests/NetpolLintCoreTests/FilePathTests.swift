@testable import NetpolLintCore
import Testing

@Suite struct FilePathTests {
    /// Every path over a small alphabet up to six characters: a path the fast test calls normal is one resolving the
    /// segments leaves as it is (so `normalize` gives the same answers with or without its shortcut).
    @Test func normalShortcutAgreesWithResolvingSegments() {
        let alphabet: [Character] = ["a", ".", "/"]
        var paths: [String] = [""]
        var frontier: [String] = [""]
        for _ in 1...6 {
            frontier = frontier.flatMap { p in alphabet.map { p + String($0) } }
            paths += frontier
        }
        for p in paths {
            let slow = FilePath.resolvingSegments(p)
            #expect(slow == Self.reference(p), "\(p.debugDescription)")
            // The shortcut may send a normal path the long way ("../a"), never the reverse.
            if FilePath.isNormal(p) { #expect(slow == p, "\(p.debugDescription): slow \(slow.debugDescription)") }
            #expect(FilePath.normalize(p) == slow, "\(p.debugDescription)")
        }
        #expect(FilePath.normalize("apps/x/../y/./z.yaml") == "apps/y/z.yaml")
        #expect(FilePath.normalize("/") == "/" && FilePath.normalize("") == "." && FilePath.normalize("a/") == "a")
    }

    /// `relative` (bytes, segment runs) against the obvious split-and-compare implementation, over every pair of
    /// absolute paths of up to four segments drawn from names that share prefixes ("a", "ab", "b", "é").
    @Test func relativeAgreesWithSegmentComparison() {
        let names = ["a", "ab", "b", "é"]
        var paths: [String] = ["/"]
        var frontier: [[String]] = [[]]
        for _ in 1...4 {
            frontier = frontier.flatMap { p in names.map { p + [$0] } }
            paths += frontier.map { "/" + $0.joined(separator: "/") }
        }
        for p in paths.prefix(120) {
            for b in paths {
                #expect(FilePath.relative(p, to: b) == Self.referenceRelative(p, b), "\(p) to \(b)")
            }
        }
        #expect(FilePath.relative("/work/shared/corpus/x.yaml", to: "/work/main") == "../shared/corpus/x.yaml")
        #expect(FilePath.relative("/work/main/a/../b.yaml", to: "/work/main/") == "b.yaml")
        #expect(FilePath.relative("/work", to: "/work/main/apps") == "../..")
        #expect(FilePath.relative("/work/mainly", to: "/work/main") == "../mainly")
    }

    /// The walk's mapper (each folder mapped once, names appended) against mapping every path whole, for paths
    /// below relative, absolute and `..` roots, with working directories and repository roots inside, equal to and
    /// outside them, taken in an order where folders repeat and interleave.
    @Test func folderMapperAgreesWithMappingEachPath() {
        let roots = ["", "./", "../", "../repo/", "a/../", "/", "/work/", "/work/repo/", "/elsewhere/", "./a/./"]
        let rest = ["x.yaml", "a/x.yaml", "a/y.yaml", "a/b/x.yaml", "x.yaml", "a/x.yaml", "b/x.yml", "a/b/c/d.yaml", "é/x.yaml"]
        for (wd, repo) in [("/work/repo", "/work/repo"), ("/work/repo/a", "/work/repo"), ("/work", "/work/repo"),
                           ("/elsewhere", "/work/repo"), ("/", "/")] {
            let plain = PathMapper(workingDirectory: wd, repositoryRoot: repo)
            var folders = FolderPathMapper(plain)
            for root in roots {
                for r in rest {
                    let path = root + r
                    let expected = plain.map(path), got = folders.map(path)
                    #expect(got.display == expected.display && got.uri == expected.uri, "\(path) from \(wd) in \(repo): \(got) vs \(expected)")
                }
            }
        }
    }

    static func referenceRelative(_ path: String, _ base: String) -> String {
        let p = reference(path).split(separator: "/"), b = reference(base).split(separator: "/")
        var i = 0
        while i < p.count, i < b.count, p[i] == b[i] { i += 1 }
        let out = ([String](repeating: "..", count: b.count - i) + p[i...].map(String.init)).joined(separator: "/")
        return out.isEmpty ? "." : out
    }

    /// The obvious implementation, on split segments: what `resolvingSegments` must agree with.
    static func reference(_ p: String) -> String {
        let absolute = p.hasPrefix("/")
        var parts: [Substring] = []
        for seg in p.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if seg == "..", absolute { continue }
            parts.append(seg)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// `dirname`, `basename`, `isInFolder`, `hasByteSuffix`, `String.joining` and `Substring.range(of:)` work on the
    /// bytes of native strings directly: they agree with the generic search over the UTF-8 view (or plain `String`
    /// operations), for every path over a small alphabet (ASCII, "é", "/"), whole and as a slice of a longer string
    /// (a substring's offsets count from its own start).
    @Test func byteSearchesAgreeWithTheUTF8View() {
        let alphabet = ["a", "é", "/", ":"]
        var texts: [String] = [""]
        var frontier: [String] = [""]
        for _ in 1...5 {
            frontier = frontier.flatMap { t in alphabet.map { t + $0 } }
            texts += frontier
        }
        for t in texts {
            let slash = t.utf8.lastIndex(of: UInt8(ascii: "/"))
            #expect(FilePath.lastSlash(t) == slash, "\(t.debugDescription)")
            #expect(FilePath.dirname(t) == (slash.map { $0 == t.startIndex ? "/" : String(t[..<$0]) } ?? "."), "\(t.debugDescription)")
            #expect(FilePath.basename(t) == (slash.map { String(t[t.utf8.index(after: $0)...]) } ?? t), "\(t.debugDescription)")
            // The folder test and the joins on bytes, against their plain String counterparts.
            for folder in [".", "/", "a", "a/é", "é", "", "a/"] {
                #expect(FilePath.isInFolder(t, folder) == (FilePath.dirname(t) == folder), "\(t.debugDescription) in \(folder.debugDescription)")
            }
            #expect(String.joining("x/é", t[...]) == "x/é" + t && String.joining(t, "é:"[...]) == t + "é:")
            #expect(String.joining(t, ("/é" + t)[...].dropFirst(2)) == t + t)
            for suffix: StaticString in [".yaml", "é", "a/", ""] {
                #expect(t.hasByteSuffix(suffix) == t.utf8.reversed().starts(with: "\(suffix)".utf8.reversed()), "\(t.debugDescription) \(suffix)")
            }
            for needle in [":/", "é/", "a", "//a"] {
                for text in [Substring(t), ("x/é" + t + "a:/")[...].dropFirst(3).dropLast(3)] {
                    #expect(text.range(of: needle) == Self.reference(needle, in: text), "\(text.debugDescription) \(needle)")
                }
            }
        }
    }

    private static func reference(_ needle: String, in text: Substring) -> Range<Substring.Index>? {
        var i = text.utf8.startIndex
        while i < text.utf8.endIndex {
            if text.utf8[i...].starts(with: needle.utf8) { return i..<text.utf8.index(i, offsetBy: needle.utf8.count) }
            i = text.utf8.index(after: i)
        }
        return nil
    }

    /// `FilePath.sharedFolders` (bytes, one pass) against splitting both paths into segments and counting the equal
    /// leading folders, over every pair of paths up to five characters of "a", "b" and "/".
    @Test func sharedFoldersAgreesWithSegmentComparison() {
        var paths: [String] = [""], frontier: [String] = [""]
        for _ in 1...5 {
            frontier = frontier.flatMap { p in ["a", "b", "/"].map { p + $0 } }
            paths += frontier
        }
        func folders(_ p: String) -> [Substring] { Array(p.split(separator: "/").dropLast()) }
        for a in paths {
            for b in paths {
                let expected = zip(folders(a), folders(b)).prefix { $0 == $1 }.count
                #expect(FilePath.sharedFolders(a, b) == expected, "\(a.debugDescription) \(b.debugDescription)")
            }
        }
        #expect(FilePath.sharedFolders("apps/media/app/helmrelease.yaml", "apps/media/ocirepository.yaml") == 2)
        #expect(FilePath.sharedFolders("apps/media/x.yaml", "apps/mediaserver/x.yaml") == 1)
    }

    /// The files kustomize reads as a kustomization, by name; a name that only ends like one is not.
    @Test func kustomizationFileNames() {
        for uri in ["kustomization.yaml", "kustomization.yml", "Kustomization", "apps/kustomization.yaml", "a/b/Kustomization",
                    "/kustomization.yml"] {
            #expect(AppliedNamespaces.isKustomizationFile(uri), "\(uri)")
        }
        for uri in ["xkustomization.yaml", "apps/my-kustomization.yaml", "kustomization.yaml.bak", "apps/kustomization.json",
                    "Kustomization.yaml", "kustomization", ""] {
            #expect(!AppliedNamespaces.isKustomizationFile(uri), "\(uri)")
        }
    }
}

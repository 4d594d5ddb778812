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
}

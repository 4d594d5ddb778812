/// Did-you-mean suggestions by edit distance.
public enum Suggest {
    public static func closest(_ word: String, in candidates: [String], caseInsensitive: Bool = false) -> String? {
        let w = caseInsensitive ? word.lowercased() : word
        let length = w.unicodeScalars.count
        var best: (String, Int)?
        for c in candidates {
            // The edit distance is at least the difference in length: a candidate much longer or shorter than the
            // word cannot be suggested, and is not compared (a huge key costs no more than a short one).
            let candidateLength = c.unicodeScalars.count
            if abs(length - candidateLength) > max(2, min(length, candidateLength) / 3) { continue }
            let d = distance(w, caseInsensitive ? c.lowercased() : c)
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (c, d) = best else { return nil }
        let limit = max(2, min(w.count, c.count) / 3)
        if caseInsensitive && d == 0 { return c }
        return d > 0 && d <= limit ? c : nil
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev2 = [Int](repeating: 0, count: y.count + 1)
        var prev = Array(0...y.count)
        var cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { cur[j] = Swift.min(cur[j], prev2[j - 2] + 1) }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[y.count]
    }
}

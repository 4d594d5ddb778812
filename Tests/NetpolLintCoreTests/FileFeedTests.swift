import Dispatch
@testable import NetpolLintCore
import Testing

/// The hand-over from the walk to the workers (`FileFeed`): files come out in the walk's order, each with what reading
/// it gave when the walk's thread read it ahead, and what is read ahead and not taken stays within the window.
@Suite struct FileFeedTests {
    @Test func readAheadStaysInsideItsWindowAndKeepsOrder() {
        let window = (bytes: 10, files: 3)
        let feed = FileFeed(window: window)
        let count = 300
        let overruns = Locked<[String]>([])
        let walk = DispatchGroup()
        DispatchQueue.global().async(group: walk) {
            for i in 0..<count {
                let bytes = [UInt8](repeating: UInt8(i % 251), count: i % 7)
                if i % 5 == 4 {
                    // Not every file is read ahead (with more workers none is): those pass through as paths.
                    feed.append(DiscoveredFile(path: "f\(i)"))
                    continue
                }
                feed.waitForRoom()
                feed.append(DiscoveredFile(path: "f\(i)"), read: .bytes(bytes), prescan: Prescan.of(.bytes(bytes)))
                // The walk reads a file only when the window has room: it overruns by that one file at most.
                let held = feed.holding
                if held.files > window.files || held.bytes >= window.bytes + bytes.count {
                    overruns.withLock { $0.append("after f\(i): \(held)") }
                }
            }
            _ = feed.finish()
        }
        var taken = 0
        while let (path, read, prescan) = feed.take(taken) {
            #expect(path == "f\(taken)")
            if taken % 5 == 4 {
                #expect(read == nil && prescan == nil, "\(path) was not read ahead")
            } else if case .bytes(let b) = read {
                #expect(b == [UInt8](repeating: UInt8(taken % 251), count: taken % 7), "\(path)'s bytes")
                // Its prescan comes with it: the NUL bytes of f0 and f251 were seen.
                #expect(prescan?.nul == (b.first == 0 ? 0 : nil), "\(path)'s prescan")
            } else {
                Issue.record("\(path): expected its bytes, got \(String(describing: read))")
            }
            taken += 1
        }
        walk.wait()
        #expect(taken == count)
        #expect(overruns.withLock { $0 }.isEmpty, "\(overruns.withLock { $0 })")
        #expect(feed.holding.bytes == 0 && feed.holding.files == 0)
    }

    /// With one worker, the worker hands each parsed file back to the walk's thread, which serves them while it waits
    /// for room to read ahead and once the walk is over: every file is served once, none is lost or left waiting.
    @Test func parsedFilesHandedBackAreEachServedOnce() {
        let feed = FileFeed(window: (bytes: 64, files: 4))
        let count = 500
        feed.expectWorkers(1)
        let worker = DispatchGroup()
        DispatchQueue.global().async(group: worker) {
            var i = 0
            while let (_, read, _) = feed.take(i) {
                var outcome = FileOutcome(bytes: read?.size ?? -1)
                outcome.documents = i
                feed.handBack(i, outcome, read: read)
                i += 1
            }
            feed.workerDone()
        }
        var served: [Int] = []
        var whileReading = 0
        for i in 0..<count {
            feed.waitForRoom { index, outcome in
                #expect(outcome.documents == index && outcome.bytes == index % 9)
                served.append(index)
                whileReading += 1
            }
            feed.append(DiscoveredFile(path: "f\(i)"), read: .bytes([UInt8](repeating: 1, count: i % 9)))
        }
        _ = feed.finish()
        feed.serveUntilWorkersAreDone { index, outcome in
            #expect(outcome.documents == index && outcome.bytes == index % 9)
            served.append(index)
        }
        worker.wait()
        #expect(served.sorted() == Array(0..<count), "\(served.count) served")
        // The window is small: the walk waited, and served files meanwhile.
        #expect(whileReading > 0)
    }
}


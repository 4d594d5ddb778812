#if canImport(Glibc)
import Glibc
#endif

/// How the C allocator is told that a process lints once and exits.
///
/// glibc's malloc gives memory back to the system whenever the free space at the top of a heap passes 128 KB
/// (`M_TRIM_THRESHOLD`), and serves each allocation above a threshold with a mapping of its own (`M_MMAP_THRESHOLD`,
/// raised on the way to at most 32 MB). A run of `check` frees and allocates all the time (a file's bytes, a
/// composed document, the parser's buffers): memory given back is faulted in again page by page a moment later, and
/// each large file is mapped, faulted in and unmapped. Measured on the benchmark corpus (benchmarks/run.sh): a quarter
/// fewer page faults and fewer `mprotect`/`futex` calls, and less system time. See mallopt(3):
/// https://man7.org/linux/man-pages/man3/mallopt.3.html
///
/// A long-lived process (the language server) keeps the defaults: there, memory should go back between requests.
public enum ProcessMemory {
    /// `M_TRIM_THRESHOLD` and `M_MMAP_THRESHOLD` in glibc's `<malloc.h>`.
    private static let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3

    /// Keeps freed memory in the process (up to 256 MB at the top of a heap) and serves allocations up to 32 MB (the
    /// largest threshold glibc accepts on 64-bit systems) from the heaps. Does nothing where `mallopt` is missing (not
    /// glibc). Call it before the work starts.
    public static func tuneForOneRun() {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which the Glibc module does not include: looked up by name.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(trimThreshold, 256 << 20)
        _ = mallopt(mmapThreshold, 32 << 20)
        #endif
    }
}

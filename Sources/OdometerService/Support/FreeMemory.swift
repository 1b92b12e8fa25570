import Foundation

/// Gives the memory malloc holds free back to the system. A shard's windows and interners are
/// freed and re-made as the stream goes on; an allocator keeps what was freed for reuse, so
/// without this a process's resident size follows the largest moment of its past rather than
/// its present.
package enum FreeMemory {
    /// The binary's malloc is jemalloc (Package.swift): its `mallctl("arena.<all>.purge")` returns
    /// every arena's unused dirty pages. glibc's `malloc_trim(0)` stands in where jemalloc is not
    /// the malloc (a test process); calling it under jemalloc does nothing, since glibc's arenas
    /// are then empty. Both are found at run time (neither header is in Swift's Glibc module).
    /// About a millisecond: call it now and then.
    package static func returnToSystem() {
        if let symbol = dlsym(nil, "mallctl") {
            typealias Mallctl = @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?,
                                                 UnsafeMutableRawPointer?, Int) -> Int32
            // 4096 is MALLCTL_ARENAS_ALL: every arena.
            _ = unsafeBitCast(symbol, to: Mallctl.self)("arena.4096.purge", nil, nil, nil, 0)
        } else if let symbol = dlsym(nil, "malloc_trim") {
            typealias MallocTrim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
    }
}

import Foundation

/// Gives the memory malloc holds free back to the system. A shard's windows and interners are
/// freed and re-made as the stream goes on; glibc keeps what was freed in its arenas (one per
/// thread that allocated), so without this a process's resident size follows the largest
/// moment of its past rather than its present.
package enum FreeMemory {
    /// glibc's `malloc_trim(0)` (malloc.h is not in Swift's Glibc module), found at run time;
    /// nothing elsewhere. Walks the arenas: about a millisecond, so call it now and then.
    package static func returnToSystem() {
        if let symbol = dlsym(nil, "malloc_trim") {
            typealias MallocTrim = @convention(c) (Int) -> Int32
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Zero-filled memory mapped straight from the kernel, for the dedup tables' slots, and unmapped
/// at once when released.
///
/// A dedup table grows by a quarter at a time and its partitions' tables grow together under an
/// even load; through malloc (jemalloc), every table left behind by a growth stayed resident as
/// dirty pages for jemalloc's decay time (10 s), the size of the whole window at once: the
/// sustained run's resident size jumped by ~250 MiB within two seconds after a stall. Mapped
/// memory is also zero from the start, which is an empty slot, so a new table costs no pass to
/// clear it.
///
/// The pages are populated at once (`MAP_POPULATE`: one call instead of a fault per page, which
/// every thread of the process queued behind while a table grew). Measured in `odometer bench`
/// (2026-12-04): (d) with dedup on ÷ off 0.55–0.89 with page faults, 0.86–0.95 populated. Not
/// kept: transparent huge pages for tables of 2 MiB or more (`MADV_HUGEPAGE`): the sustained
/// run's peak RSS was 524–525 MiB with them and 456 MiB without, for the same events. Stateless.
enum PageMemory {
    /// `capacity` zeroed instances of `T` (whose all-zero bits must be a valid value).
    static func allocateZeroed<T>(_ type: T.Type, capacity: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(1, capacity * MemoryLayout<T>.stride)
        guard let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0),
              address != MAP_FAILED
        else { fatalError("out of memory: could not map \(bytes) bytes for the dedup window (errno \(errno))") }
        return address.bindMemory(to: T.self, capacity: capacity)
    }

    /// Gives back memory of `allocateZeroed(_:capacity:)`, with the same capacity.
    static func release<T>(_ pointer: UnsafeMutablePointer<T>, capacity: Int) {
        munmap(pointer, max(1, capacity * MemoryLayout<T>.stride))
    }
}

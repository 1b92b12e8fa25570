#ifndef ODOMETER_CACHE_HINTS_H
#define ODOMETER_CACHE_HINTS_H

/// Asks the CPU to start loading the cache line of `address` for a read soon, without waiting
/// for it: a hint, never a fault, whatever the address. Swift has no prefetch of its own; as a
/// static inline function this compiles to one `prefetcht0` in the Swift caller.
static inline void cache_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif

import MeteringWorkload

/// A seeded generator, so property tests replay the same cases every run.
typealias TimeTestRandom = SplitMix64

// swift-tools-version: 6.1
// The benchmark suite is a package of its own, so `swift test` at the root never builds it.
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "OdometerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "odometer", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "MeteringCore", package: "odometer"),
                .product(name: "MeteringWorkload", package: "odometer"),
                .product(name: "MeteringBuffers", package: "odometer"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            swiftSettings: [.unsafeFlags(["-Ounchecked"]) , .enableUpcomingFeature("ExistentialAny")],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

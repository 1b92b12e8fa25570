import Testing

/// The binary runs on jemalloc (Package.swift links it for the cross-thread frees of librdkafka's
/// messages): if the link order ever let glibc's malloc win, jemalloc would print nothing here.
@Suite struct AllocatorTests {
    @Test func theBinaryAllocatesWithJemalloc() async throws {
        let result = try await CommandRunner(environment: ["MALLOC_CONF": "stats_print:true"]).run(["--help"])
        #expect(result.status == 0)
        #expect(result.error.contains("Begin jemalloc statistics"), "stderr: \(result.error.prefix(300))")
    }
}

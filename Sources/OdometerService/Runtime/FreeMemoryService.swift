import ServiceLifecycle

/// Every `interval`, gives what malloc holds free back to the system (`FreeMemory`), so `serve`'s
/// resident size follows its working set over months instead of its busiest moment.
struct FreeMemoryService: Service {
    var interval: Duration = .seconds(10)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            FreeMemory.returnToSystem()
        }
    }
}

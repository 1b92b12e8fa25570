/// Polls `condition` until it holds or `timeout` passes; returns whether it held. For waiting
/// on real parts (group joins, deliveries, released clients), never for timing logic of our own.
public func eventually(within timeout: Duration, _ condition: () -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

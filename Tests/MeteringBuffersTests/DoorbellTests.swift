import Foundation
import MeteringBuffers
import Synchronization
import Testing

@Suite struct DoorbellTests {
    /// Work announced before the sleep: it returns at once instead of waiting for its (minute-long) timeout.
    @Test func aSleeperWithWorkDoesNotSleep() {
        let bell = Doorbell()
        let returned = DispatchSemaphore(value: 0)
        Thread {
            bell.sleep(timeoutNanoseconds: 60_000_000_000) { true }
            returned.signal()
        }.start()
        #expect(returned.wait(timeout: .now() + 10) == .success)
    }

    /// A ring wakes a sleeper long before its timeout.
    @Test func aRingWakesTheSleeper() {
        let bell = Doorbell()
        let returned = DispatchSemaphore(value: 0)
        let woken = Atomic<Bool>(false)
        Thread {
            bell.sleep(timeoutNanoseconds: 60_000_000_000) { false }
            woken.store(true, ordering: .releasing)
            returned.signal()
        }.start()
        // The sleeper may not have announced itself yet: ring until it is awake.
        let deadline = Date().addingTimeInterval(10)
        while !woken.load(ordering: .acquiring), Date() < deadline {
            bell.ring()
            usleep(1000)
        }
        #expect(returned.wait(timeout: .now() + 1) == .success)
    }

    /// A producer publishes items one at a time and rings after each; the consumer sleeps with a
    /// minute-long timeout whenever it sees none. A lost wake-up would stall it for that minute:
    /// every item must arrive well before. Afterwards no stale signal is left: a sleep without
    /// work and without a ring lasts its timeout.
    @Test func noWakeUpIsLostAndNoSignalIsLeftOver() {
        let bell = Doorbell()
        let published = Atomic<Int>(0)
        let total = 20_000
        let consumed = DispatchSemaphore(value: 0)
        Thread {
            var taken = 0
            while taken < total {
                if published.load(ordering: .acquiring) > taken {
                    taken += 1
                } else {
                    bell.sleep(timeoutNanoseconds: 60_000_000_000) { published.load(ordering: .acquiring) > taken }
                }
            }
            consumed.signal()
        }.start()
        Thread {
            for item in 1...total {
                published.store(item, ordering: .releasing)
                bell.ring()
                if item % 64 == 0 { usleep(20) }   // let the consumer catch up and fall asleep often
            }
        }.start()
        #expect(consumed.wait(timeout: .now() + 30) == .success)

        let started = ContinuousClock.now
        bell.sleep(timeoutNanoseconds: 50_000_000) { false }
        #expect(started.duration(to: .now) >= .milliseconds(40))
    }
}

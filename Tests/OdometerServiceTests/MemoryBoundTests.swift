import Foundation
import MeteringCore
import MeteringWorkload
import OdometerService
import OdometerTestSupport
import Testing

/// A long-running pipeline does not grow with every value it has ever seen (issue 14): fed rounds
/// of events whose accounts and users are all new, it keeps about a window's worth interned.
@Suite(.serialized) struct MemoryBoundTests {
    @Test func roundsOfAllNewValuesKeepTheInternersBoundedAndTheTotalsExact() async throws {
        try await PipelineEnvironment.with(partitions: 4, accounts: 10) { environment in
            let pipeline = try environment.pipeline()
            let running = Task { try await pipeline.run() }
            defer { running.cancel() }
            var recount = Recount(period: environment.period.description)
            var largest = 0
            for round in 0..<6 {
                // 50,000 logins: 10,000 new accounts, 50,000 new users.
                let events = (0..<50_000).map { index in
                    UsageEvent(sequence: round * 50_000 + index, account: 100_000 + round * 10_000 + index % 10_000,
                               seconds: 1_791_000_000 + Int64(index), milliseconds: 0,
                               kind: .userLogin(user: round * 50_000 + index))
                }
                try await environment.produceCopies(events.map { (EventCopies.bytes(of: $0), $0.accountID) })
                for event in events { recount.add(event) }
                try await environment.waitUntilCaughtUp()
                largest = max(largest, await pipeline.internedStrings)
            }
            // Six rounds interned 60,000 accounts and 300,000 users: what stays is about one round's.
            #expect(largest <= 2 * 60_000, "interned strings: \(largest)")
            running.cancel()
            try await running.value
            let differences = UsageFigures.differences(try await environment.usage(), recount.figures)
            #expect(differences.isEmpty, "\(differences.count) rows differ, e.g. \(differences.prefix(3))")
        }
    }
}

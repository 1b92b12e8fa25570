import Foundation

/// Usage events of a known shape, and what they add up to, counted here by hand: the expected
/// figures of the operations tests never come from the code under test.
public struct KnownEvents: Sendable {
    public let accounts: [String]

    public init(accounts: [String]) {
        precondition(!accounts.isEmpty, "events need an account")
        self.accounts = accounts
    }

    /// `count` api_request events in `month` (default October 2026), round-robin over the
    /// accounts, tokens = index.
    public func apiRequests(_ count: Int, firstID: Int = 0, month: String = "2026-10") -> [String] {
        (0..<count).map { index in
            event(id: "evt-\(month)-\(firstID + index)", type: "api_request", subject: accounts[index % accounts.count],
                  time: "\(month)-05T10:\(two(index / 60 % 60)):\(two(index % 60))Z", data: "{\"tokens\":\(index)}")
        }
    }

    /// Per account: (events, sum of tokens) of `apiRequests(count)`.
    public func expectedAPIRequests(_ count: Int) -> [String: (events: Int, tokens: Int)] {
        var result: [String: (events: Int, tokens: Int)] = [:]
        for index in 0..<count {
            result[accounts[index % accounts.count], default: (0, 0)].events += 1
            result[accounts[index % accounts.count], default: (0, 0)].tokens += index
        }
        return result
    }

    /// `count` page_view events (a type a configuration may or may not meter), round-robin.
    public func pageViews(_ count: Int) -> [String] {
        (0..<count).map { index in
            event(id: "pv-\(index)", type: "page_view", subject: accounts[index % accounts.count],
                  time: "2026-10-06T10:00:\(two(index % 60))Z", data: "{\"page\":\"/home\"}")
        }
    }

    /// Per account, the page_view events of `pageViews(count)`.
    public func expectedPageViews(_ count: Int) -> [String: Int] {
        var result: [String: Int] = [:]
        for index in 0..<count { result[accounts[index % accounts.count], default: 0] += 1 }
        return result
    }

    /// Events whose `time` is not RFC 3339: each is dead-lettered as `bad_time`.
    public func badTimes(_ count: Int) -> [String] {
        (0..<count).map { index in
            event(id: "bt-\(index)", type: "api_request", subject: accounts[0], time: "yesterday", data: "{\"tokens\":1}")
        }
    }

    private func event(id: String, type: String, subject: String, time: String, data: String) -> String {
        "{\"specversion\":\"1.0\",\"id\":\"\(id)\",\"source\":\"ops-test\",\"type\":\"\(type)\","
            + "\"subject\":\"\(subject)\",\"time\":\"\(time)\",\"data\":\(data)}"
    }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}

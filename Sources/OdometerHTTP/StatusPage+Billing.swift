import OdometerService
import PostgresStore

extension StatusPage {
    var deadLettersCard: String {
        let reasons = snapshot.tally.rejections.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        let widest = Double(reasons.first?.value ?? 1)
        let rows = reasons.map { reason, count in
            """
            <tr data-reason="\(Figures.html(reason))"><td><code>\(Figures.html(reason))</code></td>\
            <td class="num" data-field="count">\(Figures.count(count))</td>\
            <td class="barcell">\(SVGChart.stacked([(Double(count), "#dc2626"), (widest - Double(count), "transparent")],
                                                   width: 160, height: 8))</td></tr>
            """
        }
        let body = rows.isEmpty ? "<p class=\"empty\">No event dead-lettered by this process.</p>"
            : "<table><thead><tr><th>reason</th><th class=\"num\">events</th><th></th></tr></thead><tbody>"
                + rows.joined(separator: "\n") + "</tbody></table>"
        return """
            <section class="card"><h2>Dead letters by reason <small>this process, to \(Figures.html(snapshot.deadLetterTopic))</small></h2>
            \(body)<p class="hint">After fixing the cause: <code>odometer dlq replay --reason REASON</code></p></section>
            """
    }

    var deliveriesCard: String {
        let byDestination = Dictionary(grouping: snapshot.deliveries, by: \.destination)
        let colors: [OutboxStatus: String] = [.delivered: "#16a34a", .pending: "#d97706", .failed: "#dc2626"]
        let order: [OutboxStatus] = [.delivered, .pending, .failed]
        let rows = byDestination.keys.sorted().map { destination in
            let counts = Dictionary(uniqueKeysWithValues: byDestination[destination]!.map { ($0.status, $0.count) })
            let cells = order.map { status in
                "<td class=\"num\" data-field=\"\(status.rawValue)\">\(Figures.count(counts[status] ?? 0))</td>"
            }.joined()
            let bar = SVGChart.stacked(order.map { (Double(counts[$0] ?? 0), colors[$0]!) }, width: 200, height: 10)
            return "<tr data-destination=\"\(Figures.html(destination))\"><td>\(Figures.html(destination))</td>"
                + cells + "<td class=\"barcell\">\(bar)</td></tr>"
        }
        let problem = snapshot.deliveriesProblem.map { "<p class=\"problem\">\(Figures.html($0))</p>" } ?? ""
        let body = rows.isEmpty ? "<p class=\"empty\">No outbox entry yet: nothing closed.</p>"
            : "<table><thead><tr><th>destination</th><th class=\"num\">delivered</th><th class=\"num\">pending</th>"
                + "<th class=\"num\">failed</th><th></th></tr></thead><tbody>" + rows.joined(separator: "\n") + "</tbody></table>"
        return """
            <section class="card"><h2>Deliveries <small>outbox entries by destination and status</small></h2>
            \(problem)\(body)<p class="legend"><i style="background:#16a34a"></i>delivered <i style="background:#d97706"></i>pending \
            <i style="background:#dc2626"></i>failed</p></section>
            """
    }

    var periodsCard: String {
        let rows = snapshot.periods.map { period in
            let chip = period.ready ? "<span class=\"chip ok\">ready to close</span>" : "<span class=\"chip wait\">waiting</span>"
            let behind = period.behind.isEmpty ? (period.ready ? "–" : "")
                : period.behind.map { "<span class=\"tag\">p\($0.partition): \(Figures.html($0.detail))</span>" }.joined(separator: " ")
            return """
                <tr data-period="\(Figures.html(period.period))"><td class="nowrap"><b>\(Figures.html(period.period))</b></td><td>\(chip)</td>\
                <td class="num">\(Figures.count(period.openAccounts))</td><td class="num">\(Figures.count(period.rows))</td>\
                <td>\(behind)<div class="muted">\(Figures.html(period.summary))</div></td></tr>
                """
        }
        let problem = snapshot.periodsProblem.map { "<p class=\"problem\">\(Figures.html($0))</p>" } ?? ""
        let body = rows.isEmpty ? "<p class=\"empty\">No open period: every period with usage is closed.</p>"
            : "<table><thead><tr><th>period</th><th>close</th><th class=\"num\">open accounts</th><th class=\"num\">usage rows</th>"
                + "<th>partitions behind</th></tr></thead><tbody>" + rows.joined(separator: "\n") + "</tbody></table>"
        return "<section class=\"card\"><h2>Open periods <small>close readiness</small></h2>\(problem)\(body)</section>"
    }

    var healthCard: String {
        let health = snapshot.health
        let phase: String = switch health.phase {
        case .starting: "starting"
        case .consuming: "consuming"
        case .restarting(_, let attempt): "restarting (failure \(attempt))"
        case .stopping: "shutting down"
        }
        func item(_ name: String, _ problem: String?) -> String {
            "<li><span class=\"dot \(problem == nil ? "ok" : "bad")\"></span>\(name)"
                + (problem.map { ": <span class=\"muted\">\(Figures.html($0))</span>" } ?? " reachable") + "</li>"
        }
        let paused = health.pausedSince.keys.sorted().map(String.init).joined(separator: ", ")
        let outOfRange = health.outOfRange.sorted { $0.key < $1.key }.map { "<li><span class=\"dot bad\"></span>partition "
            + "\($0.key) out of range: \(Figures.html($0.value))</li>" }.joined()
        return """
            <section class="card"><h2>Health</h2><ul class="health">
            <li><span class="dot \(health.phase == .consuming ? "ok" : "bad")"></span>pipeline \(phase)</li>
            \(item("Postgres", health.postgresProblem))\(item("Kafka", health.kafkaProblem))
            <li><span class="dot \(paused.isEmpty ? "ok" : "warn")"></span>\(paused.isEmpty ? "no shard paused" : "paused shards: \(paused)")</li>
            \(outOfRange)</ul></section>
            """
    }
}

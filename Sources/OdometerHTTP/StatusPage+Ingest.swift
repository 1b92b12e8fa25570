import OdometerService

extension StatusPage {
    var throughputCard: String {
        let rates = snapshot.throughput.rates
        let span = Self.spanText(snapshot.throughput.span)
        let peak = rates.map(\.eventsPerSecond).max() ?? 0
        return """
            <section class="card"><h2>Throughput <small>events metered per second, last \(span)</small></h2>
            <div class="axis"><span>peak \(Figures.rate(peak))/s</span></div>
            \(SVGChart.area(rates.map(\.eventsPerSecond), width: 600, height: 140, color: "#2563eb", label: "throughput"))
            <div class="axis"><span>−\(span)</span><span>now</span></div></section>
            """
    }

    var flushCard: String {
        let recent = snapshot.tally.recent
        let durations = recent.map(\.duration)
        let seconds = durations.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        let rows = recent.reduce(0) { $0 + $1.rows }
        func figure(_ name: String, _ fraction: Double) -> String {
            "<div><span class=\"label\">\(name)</span> <b data-figure=\"flush-\(name)\">"
                + "\(Self.percentile(durations, fraction).map(Figures.duration) ?? "–")</b></div>"
        }
        return """
            <section class="card"><h2>Flush latency <small>\(Figures.plural(recent.count, "last flush", "last %d flushes")), newest right</small></h2>
            <div class="figures">\(figure("p50", 0.5))\(figure("p99", 0.99))\(figure("max", 1))
            <div><span class="label">rows/flush</span> <b>\(recent.isEmpty ? "–" : Figures.count(rows / recent.count))</b></div></div>
            \(SVGChart.columns(seconds, slots: 60, width: 600, height: 110, color: "#0d9488", highlight: 1,
                               label: "flush durations"))
            <div class="axis"><span>red: over 1 s</span></div></section>
            """
    }

    var partitionsCard: String {
        let partitions = snapshot.partitions
        let widest = max(partitions.map(\.lag).max() ?? 0, 1)
        let rows = partitions.map { lag in
            let latest = lag.coveredAppendMilliseconds.map { Figures.eventTime($0 / 1000) } ?? "–"
            let bar = lag.lag == 0 ? "" : SVGChart.stacked(
                [(Double(lag.lag), "#d97706"), (Double(widest - lag.lag), "transparent")], width: 160, height: 8)
            return """
                <tr data-partition="\(lag.partition)"><td>\(lag.partition)</td>\
                <td class="num" data-field="high">\(Figures.count(lag.highWatermark))</td>\
                <td class="num" data-field="committed">\(lag.nextOffset.map(Figures.count) ?? "–")</td>\
                <td class="num\(lag.lag > 0 ? " warn" : "")" data-field="lag">\(Figures.count(lag.lag))</td>\
                <td class="barcell">\(bar)</td>\
                <td>\(latest)</td><td class="muted">\(Figures.html(lag.owner ?? "unclaimed"))</td></tr>
                """
        }
        let problem = snapshot.partitionsProblem.map { "<p class=\"problem\">\(Figures.html($0))</p>" } ?? ""
        return """
            <section class="card"><h2>Consumer lag per partition <small>Kafka high watermark − offset committed in Postgres</small></h2>
            \(problem)<table><thead><tr><th>partition</th><th class="num">high watermark</th><th class="num">committed</th>\
            <th class="num">lag</th><th></th><th>metered up to (Kafka append time)</th><th>owner</th></tr></thead>
            <tbody>\(rows.joined(separator: "\n"))</tbody></table></section>
            """
    }
}

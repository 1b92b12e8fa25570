import Foundation
import OdometerService

/// The status page at `/` (DESIGN §10): one server-rendered HTML document from a
/// `StatusSnapshot`, with inline CSS and SVG, no script and no external asset. It reloads
/// itself every `refreshSeconds` (a meta refresh). Figures carry `data-figure` attributes so
/// tests (and scrapers) can read them without parsing the layout.
struct StatusPage {
    let snapshot: StatusSnapshot
    static let refreshSeconds = 5

    var html: String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="refresh" content="\(Self.refreshSeconds)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(snapshot.readiness.isReady ? "●" : "○") Odometer · \(Figures.html(snapshot.topic))</title>
        <style>\(StatusPageStyle.css)</style></head>
        <body data-taken-at="\(Int64(snapshot.takenAt.timeIntervalSince1970 * 1000))">
        \(header)
        <main>
        \(tiles)
        <div class="grid">
        \(throughputCard)
        \(flushCard)
        </div>
        \(partitionsCard)
        <div class="grid">
        \(deadLettersCard)
        \(deliveriesCard)
        </div>
        \(periodsCard)
        \(healthCard)
        </main>
        <footer>Odometer · refreshes every \(Self.refreshSeconds) s · <a href="/metrics">/metrics</a> · \
        <a href="/readyz">/readyz</a> · <a href="/healthz">/healthz</a></footer>
        </body></html>
        """
    }

    private var header: String {
        let ready = snapshot.readiness.isReady
        let pill = ready ? "<span class=\"pill ok\" data-figure=\"readiness\">Ready</span>"
            : "<span class=\"pill bad\" data-figure=\"readiness\">Not ready</span>"
        let reasons = snapshot.readiness.reasons.map { "<li>\(Figures.html($0))</li>" }.joined()
        return """
            <header><div class="brand"><span class="logo">◔</span> Odometer</div>\(pill)
            <div class="where">topic <b>\(Figures.html(snapshot.topic))</b> · group <b>\(Figures.html(snapshot.group))</b></div>
            <div class="asof">as of \(Figures.time(snapshot.takenAt))</div></header>
            \(reasons.isEmpty ? "" : "<ul class=\"reasons\">\(reasons)</ul>")
            """
    }

    private var tiles: String {
        let tally = snapshot.tally
        let lag = snapshot.partitions.reduce(Int64(0)) { $0 + $1.lag }
        let rejected = tally.rejections.values.reduce(0, +)
        let p99 = Self.percentile(tally.recent.map(\.duration), 0.99)
        return """
            <section class="tiles">
            \(tile("Throughput now", Figures.rate(snapshot.throughput.current ?? 0), unit: "events/s", figure: "throughput-now",
                   note: "average \(Figures.rate(snapshot.throughput.average(over: .seconds(900)) ?? 0))/s over "
                       + Self.spanText(snapshot.throughput.span)))
            \(tile("Events metered", Figures.count(tally.eventsMetered), unit: "", figure: "events-metered",
                   note: "by this process, " + Figures.plural(tally.flushes, "1 flush", "%d flushes")))
            \(tile("Consumer lag", snapshot.partitions.isEmpty ? "–" : Figures.count(lag), unit: "messages", figure: "lag-total",
                   note: Figures.plural(snapshot.partitions.count, "1 partition", "%d partitions"), alert: lag > 0))
            \(tile("Dead letters", Figures.count(rejected), unit: "", figure: "dead-letters",
                   note: "by this process, to \(Figures.html(snapshot.deadLetterTopic))", alert: rejected > 0))
            \(tile("Flush p99", p99.map(Figures.duration) ?? "–", unit: "", figure: "flush-p99",
                   note: Figures.plural(tally.recent.count, "the last flush", "last %d flushes"),
                   alert: (p99 ?? .zero) > .seconds(1)))
            </section>
            """
    }

    private func tile(_ title: String, _ value: String, unit: String, figure: String, note: String,
                      alert: Bool = false) -> String {
        """
        <div class="tile\(alert ? " warn" : "")"><div class="label">\(title)</div>\
        <div class="value"><span data-figure="\(figure)">\(value)</span> <small>\(unit)</small></div>\
        <div class="note">\(note)</div></div>
        """
    }

    /// `45 s`, `12 min`: how long the throughput samples reach back.
    static func spanText(_ span: Duration) -> String {
        let seconds = span.components.seconds
        return seconds < 120 ? "\(seconds) s" : "\(Int((Double(seconds) / 60).rounded())) min"
    }

    /// The nearest-rank percentile of `durations`; nil when empty.
    static func percentile(_ durations: [Duration], _ fraction: Double) -> Duration? {
        guard !durations.isEmpty else { return nil }
        let sorted = durations.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}

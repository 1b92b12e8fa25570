/// Small charts drawn by the server as inline SVG: no script, no external asset. Each takes
/// its values and a size in CSS pixels and returns an `<svg>` element; empty data draws an
/// empty frame with a note, so the page layout never jumps.
enum SVGChart {
    /// An area chart of `values` (oldest first) with a max label and a baseline.
    static func area(_ values: [Double], width: Int, height: Int, color: String, label: String) -> String {
        guard values.count >= 2 else { return empty(width: width, height: height, note: "collecting samples…") }
        let top = max(values.max() ?? 0, 1)
        let plotTop = 14.0
        let plotHeight = Double(height) - plotTop - 2
        let step = Double(width) / Double(values.count - 1)
        let points = values.enumerated().map { index, value in
            (Double(index) * step, plotTop + plotHeight * (1 - value / top))
        }
        let line = points.map { "\(fixed($0.0)),\(fixed($0.1))" }.joined(separator: " ")
        let fill = "0,\(height) " + line + " \(width),\(height)"
        return """
            <svg class="chart" viewBox="0 0 \(width) \(height)" width="100%" height="\(height)" preserveAspectRatio="none" \
            role="img" aria-label="\(Figures.html(label))">\
            <line x1="0" y1="\(fixed(plotTop))" x2="\(width)" y2="\(fixed(plotTop))" class="grid"/>\
            <polygon points="\(fill)" fill="\(color)" fill-opacity="0.14"/>\
            <polyline points="\(line)" fill="none" stroke="\(color)" stroke-width="2" vector-effect="non-scaling-stroke"/>\
            </svg>
            """
    }

    /// One column per value (oldest first, newest at the right edge), e.g. flush durations, in
    /// at least `slots` slots so a few values do not become wide blocks; above `highlight` in red.
    static func columns(_ values: [Double], slots: Int, width: Int, height: Int, color: String, highlight: Double,
                        label: String) -> String {
        guard !values.isEmpty else { return empty(width: width, height: height, note: "no flush yet") }
        let top = max(values.max() ?? 0, 1e-9)
        let count = max(values.count, slots)
        let slot = Double(width) / Double(count)
        let bars = values.enumerated().map { index, value in
            let barHeight = max(1, Double(height) * value / top)
            let fill = value > highlight ? "#dc2626" : color
            let x = Double(count - values.count + index) * slot + slot * 0.15
            return "<rect x=\"\(fixed(x))\" y=\"\(fixed(Double(height) - barHeight))\" "
                + "width=\"\(fixed(slot * 0.7))\" height=\"\(fixed(barHeight))\" fill=\"\(fill)\" rx=\"1\"/>"
        }
        return "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" height=\"\(height)\" "
            + "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(Figures.html(label))\">"
            + bars.joined() + "</svg>"
    }

    /// A horizontal bar of segments (value, color) filling `width` in proportion.
    static func stacked(_ segments: [(value: Double, color: String)], width: Int, height: Int) -> String {
        let total = segments.reduce(0) { $0 + $1.value }
        guard total > 0 else {
            return "<svg class=\"bar\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" height=\"\(height)\" "
                + "preserveAspectRatio=\"none\"><rect width=\"\(width)\" height=\"\(height)\" rx=\"3\" class=\"track\"/></svg>"
        }
        var x = 0.0
        var rects = "<rect width=\"\(width)\" height=\"\(height)\" rx=\"3\" class=\"track\"/>"
        for segment in segments where segment.value > 0 {
            let segmentWidth = Double(width) * segment.value / total
            rects += "<rect x=\"\(fixed(x))\" width=\"\(fixed(segmentWidth))\" height=\"\(height)\" fill=\"\(segment.color)\"/>"
            x += segmentWidth
        }
        return "<svg class=\"bar\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" height=\"\(height)\" "
            + "preserveAspectRatio=\"none\">\(rects)</svg>"
    }

    private static func empty(width: Int, height: Int, note: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" height=\"\(height)\">"
            + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" "
            + "class=\"note\">\(note)</text></svg>"
    }

    private static func fixed(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

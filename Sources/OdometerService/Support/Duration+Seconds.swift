extension Duration {
    /// Seconds as a floating-point number, for reporting rates and durations (never for money).
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

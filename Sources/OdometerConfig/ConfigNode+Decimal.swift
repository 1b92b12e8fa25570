import MeteringCore

extension ConfigNode {
    /// A decimal setting, read exactly from the scalar's text whether quoted or a YAML number
    /// (never through binary floating point).
    func decimal() throws(ConfigurationError) -> ExactDecimal {
        let text = try string()
        switch ExactDecimal.parse(text) {
        case .success(let value): return value
        case .failure(.notANumber):
            throw error("must be a decimal number such as \"0.001\" or \"12\"")
        case .failure(.outOfRange):
            throw error("must fit 18 integer and 12 fractional digits")
        }
    }
}

/// An ISO 4217 currency with its minor unit (JPY 0, USD 2, BHD 3).
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// Upper-case alphabetic code, e.g. "USD".
    public let code: String
    /// Digits after the decimal point of the minor unit.
    public let minorUnits: Int

    /// The currency named by `code` (case-insensitive), or nil if ISO 4217 has no such code.
    public init?(code: String) {
        let upper = code.uppercased()
        guard let digits = Self.iso4217[upper] else { return nil }
        self.code = upper
        self.minorUnits = digits
    }

    public var description: String { code }

    /// Active ISO 4217 codes and their minor units (list of 2024; funds and precious metals
    /// without a minor unit are omitted).
    static let iso4217: [String: Int] = {
        var table: [String: Int] = [:]
        let zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
        let three = "BHD IQD JOD KWD LYD OMR TND"
        let four = "CLF UYW"
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP \
            BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR \
            FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW \
            KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN \
            NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD \
            SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU \
            UZS VED VES WST XCD YER ZAR ZMW ZWL
            """
        for (codes, digits) in [(zero, 0), (two, 2), (three, 3), (four, 4)] {
            for code in codes.split(separator: " ") { table[String(code)] = digits }
        }
        return table
    }()
}

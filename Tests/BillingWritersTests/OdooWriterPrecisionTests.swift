import BillingFakes
import Testing
@testable import BillingWriters
import MeteringCore

@Suite struct OdooWriterPrecisionTests {
    @Test func threeDecimalCurrencyFailsWhenOdooRoundsPricesToTwo() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.addCurrency(name: "BHD", digits: 3)
            let bhd = invoice("acct-bh", currency: "BHD", minorUnits: 3, lines: [("api_tokens", "0.004")])
            let usd = invoice("acct-us", lines: [("api_tokens", "0.04")])

            let outcomes = await bed.writer().deliver([bhd, usd])

            #expect(outcomes[bhd.key] == .failed(reason: "Odoo rounds invoice line prices to 2 decimals but BHD amounts have 3: "
                + "raise the \"Product Price\" decimal accuracy to at least 3 (Settings > Technical > Decimal Accuracy) "
                + "so Odoo does not round the amounts"))
            #expect(outcomes[usd.key]?.remoteID != nil)
            #expect(bed.fake.invoices().map(\.ref) == [usd.key])
        }
    }

    @Test func threeDecimalCurrencyIsExactWhenOdooStoresPricesUnrounded() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.addCurrency(name: "BHD", digits: 3)
            bed.fake.setPrecision(priceUnitDigits: nil, quantityDigits: 2)
            let bhd = invoice("acct-bh", currency: "BHD", minorUnits: 3,
                              lines: [("api_tokens", "0.004"), ("seats", "12.345")])

            let outcomes = await bed.writer(bed.destination(protocol: .json2)).deliver([bhd])

            let stored = try #require(bed.fake.invoices().first { $0.id == outcomes[bhd.key]?.remoteID })
            #expect(stored.amountTotal == "12.349")
            #expect(stored.lines.map(\.priceUnit) == ["0.004", "12.345"])
        }
    }

    @Test func roundingHiddenFromFieldsGetIsCaughtByTheTotalCheck() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.addCurrency(name: "BHD", digits: 3)
            bed.fake.hidePrecisionInFieldsGet()
            let bhd = invoice("acct-bh", currency: "BHD", minorUnits: 3, lines: [("seats", "1.235"), ("seats", "2.004")])

            let outcomes = await bed.writer().deliver([bhd])

            let stored = try #require(bed.fake.invoices().first)
            #expect(stored.amountTotal == "3.240")
            #expect(outcomes[bhd.key] == .failed(reason: "Odoo's invoice \(stored.id) totals 3.24 BHD but Odometer rated 3.239: "
                + "Odoo changed the amounts (taxes or rounding); the invoice is left unposted for review"))
        }
    }

    @Test func currencyRoundingCoarserThanTheMinorUnitFails() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.addCurrency(name: "KWD", digits: 2)
            bed.fake.setPrecision(priceUnitDigits: nil, quantityDigits: 2)
            let document = invoice("acct-kw", currency: "KWD", minorUnits: 3, lines: [("seats", "1.001")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .failed(reason: "Odoo's currency KWD rounds to 2 decimals but Odometer bills 3: "
                + "set its rounding factor to 0.001"))
            #expect(bed.fake.invoices().isEmpty)
        }
    }

    @Test func amountWithWrongNumberOfDigitsFailsBeforeAnyCall() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-1", lines: [("seats", "1.5")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .failed(reason: "invoice usage:acct-1:2026-11, line acct-1-0: amount \"1.5\" "
                + "is not a decimal with exactly 2 fractional digits, as USD requires"))
            #expect(bed.fake.requestCount(protocol: "jsonrpc") == 0)
        }
    }
}

@Suite struct OdooWriterReferenceTests {
    @Test func missingPartnerFailsNamingTheRef() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-9", ref: "NOPE", lines: [("seats", "1.00")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .failed(reason: "Odoo has no customer (res.partner) with ref \"NOPE\": "
                + "create it, fix the account's odooPartnerRef, or set createPartners: true"))
        }
    }

    @Test func ambiguousPartnerFailsNamingTheCandidates() async throws {
        try await OdooTestBed.run { bed in
            let first = bed.fake.addPartner(ref: "TWIN")
            let second = bed.fake.addPartner(ref: "TWIN")
            let document = invoice("acct-9", ref: "TWIN", lines: [("seats", "1.00")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .failed(reason: "Odoo has 2 records of customer (res.partner) with ref \"TWIN\" "
                + "(ids \(first), \(second)): give each customer its own ref"))
        }
    }

    @Test func accountWithoutPartnerRefFails() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-9", ref: nil, lines: [("seats", "1.00")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .failed(reason: "account acct-9 has no odooPartnerRef: set it to the customer's ref in Odoo"))
        }
    }

    @Test func missingProductFailsNamingTheMeter() async throws {
        try await OdooTestBed.run { bed in
            let document = invoice("acct-1", lines: [("gpu_hours", "1.00")])

            let outcomes = await bed.writer().deliver([document])

            #expect(outcomes[document.key] == .failed(reason: "Odoo has no product with Internal Reference (default_code) "
                + "\"gpu_hours\": create a product for this meter"))
        }
    }

    @Test func inactiveAndMissingCurrenciesAreToldApart() async throws {
        try await OdooTestBed.run { bed in
            bed.fake.addCurrency(name: "CHF", active: false)
            let inactive = invoice("acct-ch", currency: "CHF", lines: [("seats", "1.00")])
            let missing = invoice("acct-xx", currency: "XTS", lines: [("seats", "1.00")])

            let outcomes = await bed.writer().deliver([inactive, missing])

            #expect(outcomes[inactive.key] == .failed(reason: "Odoo's currency CHF is inactive: activate it (Accounting > Configuration > Currencies)"))
            #expect(outcomes[missing.key] == .failed(reason: "Odoo has no currency XTS: add it (Accounting > Configuration > Currencies)"))
        }
    }
}

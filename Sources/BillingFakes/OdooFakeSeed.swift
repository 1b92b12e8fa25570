import Foundation

/// Seed data a test or `odometer demo` adds before delivering.
extension OdooFake {
    @discardableResult
    public func addPartner(ref: String, name: String? = nil) -> Int {
        mutate { $0.addPartner(ref: ref, name: name ?? "Customer \(ref)") }
    }

    /// A product for a meter; `defaultTaxPercent` (e.g. `"10"`) becomes its default sales tax,
    /// which Odoo applies to lines sent without `tax_ids`.
    @discardableResult
    public func addProduct(defaultCode: String, defaultTaxPercent: String? = nil) -> Int {
        mutate { $0.addProduct(defaultCode: defaultCode, taxPercent: defaultTaxPercent.flatMap { Decimal(string: $0) }) }
    }

    /// Adds a currency, or updates the one with that name.
    @discardableResult
    public func addCurrency(name: String, active: Bool = true, digits: Int = 2) -> Int {
        mutate { $0.addCurrency(name: name, active: active, digits: digits) }
    }

    /// The digits Odoo rounds `price_unit` and `quantity` to on write; `nil` stores them
    /// unrounded (Odoo 19's `price_unit`). `fields_get` reports the same.
    public func setPrecision(priceUnitDigits: Int?, quantityDigits: Int?) {
        mutate { database in
            database.priceUnitDigits = priceUnitDigits
            database.quantityDigits = quantityDigits
        }
    }

    /// Makes the fake behave like Odoo ≤ 18, which has no JSON-2: every `/json/2/...` is a 404.
    public func disableJSON2() {
        state.withLock { $0.servesJSON2 = false }
    }

    /// What `odometer demo` needs: one customer per partner ref and one product per meter slug,
    /// without default taxes.
    public func seedDemo(partnerRefs: [String], meters: [String]) {
        for ref in partnerRefs { addPartner(ref: ref) }
        for meter in meters { addProduct(defaultCode: meter) }
    }
}

/// What a fresh Odoo database has, and the rows seeding adds.
extension OdooFakeDatabase {
    mutating func seedDefaults() {
        companyCurrencyID = addCurrency(name: "USD", active: true, digits: 2)
        addCurrency(name: "EUR", active: true, digits: 2)
        for name in ["Product Price", "Product Unit of Measure"] {
            let id = allocateID()
            precisions[id] = FakePrecision(id: id, name: name, digits: 2)
        }
    }

    mutating func addPartner(ref: String, name: String) -> Int {
        let id = allocateID()
        partners[id] = FakePartner(id: id, name: name, ref: ref)
        return id
    }

    mutating func addProduct(defaultCode: String, taxPercent: Decimal?) -> Int {
        var taxIDs: [Int] = []
        if let taxPercent {
            let existing = taxes.values.first { $0.percent == taxPercent }?.id
            let taxID = existing ?? allocateID()
            taxes[taxID] = FakeTax(id: taxID, percent: taxPercent)
            taxIDs = [taxID]
        }
        let id = allocateID()
        products[id] = FakeProduct(id: id, defaultCode: defaultCode, name: defaultCode, taxIDs: taxIDs)
        return id
    }

    @discardableResult
    mutating func addCurrency(name: String, active: Bool, digits: Int) -> Int {
        let id = currencies.values.first { $0.name == name }?.id ?? allocateID()
        currencies[id] = FakeCurrency(id: id, name: name, digits: digits, active: active)
        return id
    }
}

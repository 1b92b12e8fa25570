/// One invoice line as persisted; amounts and quantities are exact decimal text. Value type.
public struct InvoiceLineRecord: Sendable, Hashable {
    /// Deterministic key of the line (account, meter, period, dimensions, version); unique.
    public var lineKey: String
    public var account: String
    public var meter: String
    public var period: String
    public var dimensions: String
    /// 1 for the original line; corrections are new lines with a higher version.
    public var version: Int32
    public var quantity: String
    /// Rounded to the currency's minor unit, e.g. "12.30".
    public var amount: String
    public var currency: String
    public var description: String
    /// The close that billed it when later than `period` (an adjustment); nil for its own period's close.
    public var billedPeriod: String?

    public init(lineKey: String, account: String, meter: String, period: String, dimensions: String, version: Int32,
                quantity: String, amount: String, currency: String, description: String, billedPeriod: String? = nil) {
        self.lineKey = lineKey
        self.account = account
        self.meter = meter
        self.period = period
        self.dimensions = dimensions
        self.version = version
        self.quantity = quantity
        self.amount = amount
        self.currency = currency
        self.description = description
        self.billedPeriod = billedPeriod
    }
}

/// A document to deliver to one destination: which invoice lines it carries. Value type.
public struct OutboxDocument: Sendable, Hashable {
    /// Destination name, e.g. "stripe", "lago", "odoo".
    public var destination: String
    /// Unique per destination; also the basis of the idempotency key.
    public var documentKey: String
    public var account: String
    public var period: String
    public var lineKeys: [String]
    /// What the destination dedups on (distinct per destination, DESIGN §7).
    public var idempotencyKey: String?

    public init(destination: String, documentKey: String, account: String, period: String, lineKeys: [String],
                idempotencyKey: String? = nil) {
        self.destination = destination
        self.documentKey = documentKey
        self.account = account
        self.period = period
        self.lineKeys = lineKeys
        self.idempotencyKey = idempotencyKey
    }
}

/// Everything one period close persists, in one transaction. Value type.
public struct PeriodCloseRecord: Sendable, Hashable {
    public var period: String
    /// Accounts this close closes for `period`.
    public var accounts: [String]
    /// True when closed with `--force` before the watermark passed period end plus grace.
    public var forced: Bool
    public var lines: [InvoiceLineRecord]
    public var outbox: [OutboxDocument]

    public init(period: String, accounts: [String], forced: Bool, lines: [InvoiceLineRecord], outbox: [OutboxDocument]) {
        self.period = period
        self.accounts = accounts
        self.forced = forced
        self.lines = lines
        self.outbox = outbox
    }
}

/// How many rows a close actually inserted; all zero when the same close was already recorded.
public struct CloseOutcome: Sendable, Hashable {
    public var closesInserted: Int
    public var linesInserted: Int
    public var outboxInserted: Int

    public init(closesInserted: Int, linesInserted: Int, outboxInserted: Int) {
        self.closesInserted = closesInserted
        self.linesInserted = linesInserted
        self.outboxInserted = outboxInserted
    }

    /// True when the close had been recorded before and nothing was written.
    public var changedNothing: Bool { closesInserted == 0 && linesInserted == 0 && outboxInserted == 0 }
}

/// The lines written so far for one row (account, meter, period, dimensions), every version
/// summed: what was billed for it. Numerics are exact decimal text; `currency` is `mixed` if
/// its lines disagree. Value type.
public struct BilledRowRecord: Sendable, Hashable {
    public var account: String
    public var meter: String
    public var period: String
    public var dimensions: String
    public var latestVersion: Int
    public var quantity: String
    public var amount: String
    public var currency: String

    public init(account: String, meter: String, period: String, dimensions: String, latestVersion: Int,
                quantity: String, amount: String, currency: String) {
        self.account = account
        self.meter = meter
        self.period = period
        self.dimensions = dimensions
        self.latestVersion = latestVersion
        self.quantity = quantity
        self.amount = amount
        self.currency = currency
    }
}

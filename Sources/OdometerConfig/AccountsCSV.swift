public import MeteringCore
import Foundation

/// `odometer accounts import FILE.csv`: accounts from CSV with a header row naming the columns
/// id, plan, timezone, odooPartnerRef, stripeCustomer, lagoSubscription (id and plan required,
/// any order; RFC 4180 quoting). Every bad row is reported by its line; if any row is bad, no
/// account is returned, so an import changes nothing.
public enum AccountsCSV {
    public static let columns = ["id", "plan", "timezone", "odooPartnerRef", "stripeCustomer", "lagoSubscription"]

    public static func parse(_ text: String, knownPlans: Set<String>) -> Result<[Account], AccountsCSVError> {
        let records: [(line: Int, fields: [String])]
        switch CSVRecords.parse(text) {
        case .success(let parsed): records = parsed
        case .failure(let problem): return .failure(AccountsCSVError(problems: [problem]))
        }
        guard let header = records.first else {
            return .failure(AccountsCSVError(problems: [.init(line: 1, message: "the file is empty; it needs a header row")]))
        }
        var index: [String: Int] = [:]
        var problems: [AccountsCSVError.Problem] = []
        for (position, name) in header.fields.enumerated() {
            let column = name.trimmingCharacters(in: .whitespaces)
            guard columns.contains(column) else {
                problems.append(.init(line: header.line, message: "unknown column \"\(column)\"; columns are \(columns.joined(separator: ", "))"))
                continue
            }
            guard index[column] == nil else {
                problems.append(.init(line: header.line, message: "column \"\(column)\" appears twice"))
                continue
            }
            index[column] = position
        }
        for required in ["id", "plan"] where index[required] == nil {
            problems.append(.init(line: header.line, message: "the header needs a \"\(required)\" column"))
        }
        guard problems.isEmpty else { return .failure(AccountsCSVError(problems: problems)) }

        var accounts: [Account] = []
        var seen: [String: Int] = [:]
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                problems.append(.init(line: record.line, message: "has \(record.fields.count) fields; the header has \(header.fields.count)"))
                continue
            }
            func field(_ name: String) -> String? {
                index[name].map { record.fields[$0].trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            guard let id = field("id") else { problems.append(.init(line: record.line, message: "has no id")); continue }
            if let first = seen[id] {
                problems.append(.init(line: record.line, message: "repeats account \"\(id)\" of line \(first)"))
                continue
            }
            seen[id] = record.line
            guard let plan = field("plan") else {
                problems.append(.init(line: record.line, message: "account \"\(id)\" has no plan")); continue
            }
            guard knownPlans.contains(plan) else {
                problems.append(.init(line: record.line, message: "account \"\(id)\" names plan \"\(plan)\", which the configuration does not define"))
                continue
            }
            let timeZone = field("timezone") ?? "UTC"
            guard AccountValidation.isKnownTimeZone(timeZone) else {
                problems.append(.init(line: record.line, message: "account \"\(id)\" has time zone \"\(timeZone)\", which is not an IANA time zone"))
                continue
            }
            accounts.append(Account(id: id, plan: plan, timeZone: timeZone, odooPartnerRef: field("odooPartnerRef"),
                                    stripeCustomer: field("stripeCustomer"), lagoSubscription: field("lagoSubscription")))
        }
        return problems.isEmpty ? .success(accounts) : .failure(AccountsCSVError(problems: problems))
    }
}

/// Every bad row of an accounts CSV; nothing was imported.
public struct AccountsCSVError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Problem: Error, Hashable, Sendable {
        public let line: Int
        public let message: String
    }

    public let problems: [Problem]

    public var description: String {
        "nothing imported; fix these rows:\n" + problems.map { "  line \($0.line): \($0.message)" }.joined(separator: "\n")
    }
}

/// RFC 4180 records with the line each starts on. Quoted fields may hold commas, quotes
/// (doubled) and line breaks; CRLF and LF both end a record; a blank line is skipped.
enum CSVRecords {
    static func parse(_ text: String) -> Result<[(line: Int, fields: [String])], AccountsCSVError.Problem> {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var quoted = false
        var afterQuote = false
        var characters = Array(text).makeIterator()
        var pending: Character?
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
            field = ""
        }
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\""); continue }
                        pending = next
                    }
                    quoted = false
                    afterQuote = true
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty && !afterQuote:
                quoted = true
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\n", "\r\n", "\r":
                endRecord()
                afterQuote = false
                line += 1
                recordLine = line
            default:
                if afterQuote {
                    return .failure(.init(line: line, message: "has text after a closing quote; double a quote inside a quoted field"))
                }
                field.append(character)
            }
        }
        if quoted { return .failure(.init(line: recordLine, message: "opens a quote that is never closed")) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return .success(records)
    }
}

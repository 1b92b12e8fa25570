import Testing
@testable import PostgresStore

@Suite struct PostgresURLParsing {
    @Test func aFullURLGivesEveryPart() throws {
        let url = try PostgresURL(parsing: "postgres://bill:s3cr%40t%2F@db.example.com:6543/odometer?sslmode=require")
        #expect(url == PostgresURL(username: "bill", password: "s3cr@t/", host: "db.example.com", port: 6543,
                                   database: "odometer", sslMode: .require))
    }

    @Test func portDefaultsTo5432AndSSLModeToPrefer() throws {
        let url = try PostgresURL(parsing: "postgresql://odometer@127.0.0.1/odometer")
        #expect(url.port == 5432)
        #expect(url.sslMode == .prefer)
        #expect(url.password == nil)
    }

    @Test func bracketedIPv6HostsAreUnbracketed() throws {
        let url = try PostgresURL(parsing: "postgres://u@[::1]:7000/db?sslmode=disable")
        #expect(url.host == "::1")
        #expect(url.port == 7000)
        #expect(url.sslMode == .disable)
        #expect(url.urlString == "postgres://u@[::1]:7000/db?sslmode=disable")
    }

    @Test func urlStringReadsBackToTheSameValueAndDescriptionHidesThePassword() throws {
        let url = PostgresURL(username: "a b", password: "p@ss:w/rd", host: "h", port: 1, database: "d%b",
                              sslMode: .verifyFull)
        #expect(try PostgresURL(parsing: url.urlString) == url)
        #expect(url.description == "postgres://a%20b:***@h:1/d%25b?sslmode=verify-full")
        #expect(!url.description.contains("rd"))
    }

    @Test(arguments: [
        ("mysql://u@h/db", PostgresURLError.unsupportedScheme("mysql")),
        ("postgres://h:5432/db", .missingUser),
        ("postgres://@h/db", .missingUser),
        ("postgres://u@/db", .missingHost),
        ("postgres://u@h:0/db", .invalidPort("0")),
        ("postgres://u@h:65536/db", .invalidPort("65536")),
        ("postgres://u@h:54x/db", .invalidPort("54x")),
        ("postgres://u@h:5432", .missingDatabase),
        ("postgres://u@h:5432/", .missingDatabase),
        ("postgres://u:bad%zz@h/db", .invalidPercentEncoding(part: "password")),
        ("postgres://u@h/db?sslmode=always", .invalidSSLMode("always")),
        ("postgres://u@h/db?timeout=3", .unsupportedParameter("timeout")),
    ])
    func malformedURLsAreRejectedNamingThePartToFix(text: String, expected: PostgresURLError) {
        #expect(throws: expected) { try PostgresURL(parsing: text) }
    }

    @Test func errorMessagesSayWhatToWriteAndNeverEchoThePassword() {
        #expect(PostgresURLError.missingDatabase.description
                == "postgres url: no database name; add it after the host, e.g. postgres://odometer@127.0.0.1:5432/odometer")
        #expect(PostgresURLError.invalidSSLMode("always").description
                == "postgres url: sslmode 'always' is not one of disable, prefer, require, verify-ca, verify-full")
        do {
            _ = try PostgresURL(parsing: "postgres://u:hunter2%g@h/db")
            Issue.record("must throw")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }
}

import MeteringCore
import OdometerConfig
import Testing

@Suite struct AccountsCSVTests {
    @Test func aGoodFileImportsEveryAccountWithQuotedFields() throws {
        let csv = [
            "plan,id,timezone,odooPartnerRef,stripeCustomer,lagoSubscription",
            #"pro,acct-1,Europe/Berlin,"ACME, Inc.",cus_1,sub_1"#,
            #"pro,acct-2,,"say ""hi""",,"#,
            "",
        ].joined(separator: "\r\n")
        let accounts = try AccountsCSV.parse(csv, knownPlans: ["pro"]).get()
        #expect(accounts == [
            Account(id: "acct-1", plan: "pro", timeZone: "Europe/Berlin", odooPartnerRef: "ACME, Inc.",
                    stripeCustomer: "cus_1", lagoSubscription: "sub_1"),
            Account(id: "acct-2", plan: "pro", timeZone: "UTC", odooPartnerRef: "say \"hi\""),
        ])
    }

    @Test func everyBadRowIsReportedByLineAndNothingIsImported() {
        let csv = """
            id,plan,timezone
            acct-1,pro,UTC
            acct-2,gold,UTC
            ,pro,UTC
            acct-1,pro,UTC
            acct-3,pro,Nowhere/City
            acct-4,pro
            """
        guard case .failure(let error) = AccountsCSV.parse(csv, knownPlans: ["pro"]) else {
            Issue.record("a file with bad rows was accepted")
            return
        }
        #expect(error.problems.map(\.line) == [3, 4, 5, 6, 7])
        #expect(error.problems[0].message.contains("plan \"gold\""))
        #expect(error.problems[2].message.contains("repeats account \"acct-1\" of line 2"))
        #expect(error.description.hasPrefix("nothing imported"))
    }

    @Test func aHeaderWithoutIdIsRefused() {
        guard case .failure(let error) = AccountsCSV.parse("plan,name\npro,x\n", knownPlans: ["pro"]) else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.map(\.line) == [1, 1])
    }
}

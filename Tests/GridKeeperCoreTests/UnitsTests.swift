import Foundation
import Testing

import GridKeeperCore

@Suite struct UnitsTests {
    @Test(arguments: [("0", 0), ("1", 1), ("250", 250), ("1e3", 1000)])
    func wholeQuantitiesConvert(_ text: String, _ expected: Int) throws {
        let value = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(Units(exactly: value) == Units(expected))
    }

    @Test(arguments: ["0.5", "1.000001", "-0.1"])
    func fractionalQuantitiesAreRefused(_ text: String) throws {
        let value = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(Units(exactly: value) == nil)
    }

    @Test func catalogueHasTheNineInstruments() {
        #expect(InstrumentCatalog.all.count == 9)
        #expect(Set(InstrumentCatalog.all.map(\.symbol)).count == 9)
        #expect(InstrumentCatalog.entry(symbol: "Text-Prime")?.referencePrice == Decimal(string: "2.50"))
    }
}

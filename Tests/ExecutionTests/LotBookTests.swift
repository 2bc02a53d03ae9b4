@testable import Execution
import Testing

@Suite struct LotBookTests {
    static let hour: Int64 = 3_600_000
    static let life = ConsumptionLot.lifetimeMilliseconds

    @Test func theLifetimeIsFourHoursInEveryUnit() {
        #expect(ConsumptionLot.lifetimeHours == 4)
        #expect(ConsumptionLot.lifetime == 14_400)
        #expect(ConsumptionLot.lifetimeMilliseconds == 14_400_000)
    }

    @Test func unitsAreUsedOldestFirstAndWhatIsLeftExpiresWithItsLot() {
        var book = LotBook()
        book.arrive(units: 2, at: 0)
        book.arrive(units: 3, at: Self.hour)
        #expect(book.units == 5)
        let r1 = book.use(2_500)
        #expect(r1 == 2_500)
        // The first lot is gone; half a unit of the second is used, and it still shows as one.
        #expect(book.lots == [LotBook.Lot(arrived: Self.hour, milli: 2_500)])
        #expect(book.units == 3)
        let r2 = book.expire(through: Self.life)
        #expect(r2 == 0, "the first lot was used up before it expired")
        let r3 = book.expire(through: Self.hour + Self.life - 1)
        #expect(r3 == 0, "one millisecond early")
        let r4 = book.expire(through: Self.hour + Self.life)
        #expect(r4 == 2_500)
        #expect(book.units == 0)
        #expect(book.stats.usedMilliUnits == 2_500)
        #expect(book.stats.expiredMilliUnits == 2_500)
    }

    @Test func aWithdrawalTakesTheFreshestLotsAndNeverMoreThanIsHeld() {
        var book = LotBook()
        book.arrive(units: 4, at: 0)
        book.arrive(units: 3, at: Self.hour)
        let r5 = book.withdraw(units: 8)
        #expect(!r5)
        #expect(book.units == 7, "a refused withdrawal changes nothing")
        let r6 = book.withdraw(units: 5)
        #expect(r6)
        #expect(book.lots == [LotBook.Lot(arrived: 0, milli: 2_000)])
    }

    @Test func steadyDemandRunsOutThenCountsStockoutAndUnmetDemand() {
        var book = LotBook(units: 1, arrivedAt: 0)
        // One unit an hour for two hours: the unit lasts one hour, the second is dry.
        book.draw(rate: 1_000.0 / Double(Self.hour), from: 0, to: 2 * Self.hour)
        #expect(book.stats.usedMilliUnits == 1_000)
        #expect(abs(book.stats.stockoutSeconds - 3_600) < 0.01)
        #expect(abs(book.stats.unmetUnits - 1) < 0.0001)
        #expect(book.units == 0)
    }

    @Test func demandStopsDrawingFromALotWhenItExpires() {
        var book = LotBook(units: 10, arrivedAt: 0)
        // One unit an hour for five hours: four are used, six expire at four hours, then dry.
        book.draw(rate: 1_000.0 / Double(Self.hour), from: 0, to: 5 * Self.hour)
        #expect(book.stats.usedMilliUnits == 4_000)
        #expect(book.stats.expiredMilliUnits == 6_000)
        #expect(abs(book.stats.stockoutSeconds - 3_600) < 0.01)
    }

    @Test func aStepWithDemandAndNothingHeldIsAStockout() {
        var book = LotBook()
        let r7 = book.step(wanted: 2_000, demandPresent: true, seconds: 60)
        #expect(r7 == 0)
        let r8 = book.step(wanted: 0, demandPresent: false, seconds: 60)
        #expect(r8 == 0)
        book.arrive(units: 1, at: 0)
        let r9 = book.step(wanted: 2_000, demandPresent: true, seconds: 60)
        #expect(r9 == 1_000, "only what is held is drawn")
        #expect(book.stats.stockoutSeconds == 60)
        #expect(book.stats.unmetUnits == 2)
    }
}

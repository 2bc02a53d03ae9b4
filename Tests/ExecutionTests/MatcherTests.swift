import Execution
import Testing

@Suite struct MatcherTests {
    static func asks(_ levels: (Int64, Int)...) -> [Matcher.Level] { levels.map { Matcher.Level(price: $0.0, quantity: $0.1) } }
    static let plenty: Int64 = 1_000_000_000

    static func refusal(_ m: inout Matcher, id: String, quantity: Int, limit: Int64?, funds: Int64) -> Matcher.Refusal? {
        do {
            _ = try m.submit(id: id, quantity: quantity, limit: limit, funds: funds, at: 0)
            return nil
        } catch { return error }
    }

    @Test func aMarketOrderWalksTheAsksAtTheirPricesAndCancelsWhatTheBookCannotFill() throws {
        var m = Matcher()
        _ = m.observe(asks: Self.asks((2_000_000, 3), (2_100_000, 2)), at: 0)
        let fills = try m.submit(id: "a", quantity: 7, limit: nil, funds: Self.plenty, at: 0)
        #expect(fills.map(\.units) == [3, 2])
        #expect(fills.map(\.price) == [2_000_000, 2_100_000])
        #expect(m.ticket("a")?.state == .cancelled)
        #expect(m.ticket("a")?.filled == 5)
    }

    @Test func aMarketOrderBuysOnlyWhatItsFundsPayFor() throws {
        var m = Matcher(rules: .init(feeMillionths: 1_000))
        _ = m.observe(asks: Self.asks((2_000_000, 10)), at: 0)
        // 2.002 a unit with the fee: 5 USD buys two.
        let fills = try m.submit(id: "a", quantity: 10, limit: nil, funds: 5_000_000, at: 0)
        #expect(fills.map(\.units) == [2])
        #expect(fills.first?.fee == 4_000)
        #expect(m.ticket("a")?.state == .cancelled)
    }

    @Test func takenLiquidityIsNotOfferedAgainUntilTheBookChanges() throws {
        var m = Matcher()
        let book = Self.asks((2_000_000, 3))
        _ = m.observe(asks: book, at: 0)
        let r4 = try m.submit(id: "a", quantity: 2, limit: nil, funds: Self.plenty, at: 0)
        #expect(r4.map(\.units) == [2])
        #expect(m.offered == Self.asks((2_000_000, 1)))
        _ = m.observe(asks: book, at: 60_000)
        let r5 = try m.submit(id: "b", quantity: 2, limit: nil, funds: Self.plenty, at: 60_000)
        #expect(r5.map(\.units) == [1], "the same book still stands")
        _ = m.observe(asks: Self.asks((2_000_000, 4)), at: 120_000)
        let r6 = try m.submit(id: "c", quantity: 2, limit: nil, funds: Self.plenty, at: 120_000)
        #expect(r6.map(\.units) == [2], "a new snapshot offers again")
    }

    @Test func aLimitOrderTakesWhatIsAtOrUnderItsPriceThenRestsAndFillsAtItsOwnLimit() throws {
        var m = Matcher()
        _ = m.observe(asks: Self.asks((2_000_000, 1), (2_100_000, 5)), at: 0)
        let first = try m.submit(id: "a", quantity: 4, limit: 2_050_000, funds: Self.plenty, at: 0)
        #expect(first.map(\.units) == [1])
        #expect(first.first?.price == 2_000_000, "taking liquidity pays the ask")
        #expect(m.ticket("a")?.state == .resting)
        let later = m.observe(asks: Self.asks((1_900_000, 2), (2_000_000, 5)), at: 60_000)
        #expect(later.map(\.units) == [2, 1])
        #expect(later.allSatisfy { $0.price == 2_050_000 }, "a resting order fills at its limit, never better")
        #expect(m.ticket("a")?.state == .filled)
        #expect(m.ticket("a")?.notional == Int64(2_000_000 + 3 * 2_050_000))
    }

    @Test func aTradePrintFillsRestingOrdersStrictlyUnderTheirLimitSharedInTimePriority() throws {
        var m = Matcher()
        _ = m.observe(asks: Self.asks((2_500_000, 9)), at: 0)
        _ = try m.submit(id: "a", quantity: 3, limit: 2_000_000, funds: Self.plenty, at: 0)
        _ = try m.submit(id: "b", quantity: 3, limit: 2_000_000, funds: Self.plenty, at: 1)
        let r1 = m.observe(tradeAt: 2_000_000, quantity: 10, at: 2)
        #expect(r1.isEmpty, "a print at the limit may have been someone ahead")
        let fills = m.observe(tradeAt: 1_990_000, quantity: 4, at: 3)
        #expect(fills.map(\.orderID) == ["a", "b"])
        #expect(fills.map(\.units) == [3, 1], "one print's quantity is shared, not given to each order")
        #expect(fills.allSatisfy { $0.price == 2_000_000 })
    }

    @Test func limitOrdersLockTheirNotionalAndFeeUntilTheyEnd() throws {
        var m = Matcher(rules: .init(feeMillionths: 1_000))
        _ = m.observe(asks: Self.asks((3_000_000, 1)), at: 0)
        _ = try m.submit(id: "a", quantity: 2, limit: 2_000_000, funds: 4_004_000, at: 0)
        #expect(m.locked == 4_004_000)
        #expect(Self.refusal(&m, id: "b", quantity: 1, limit: 1_000_000, funds: 4_004_000) == .insufficientFunds)
        #expect(Self.refusal(&m, id: "a", quantity: 1, limit: 1_000_000, funds: Self.plenty) == .duplicateID)
        #expect(Self.refusal(&m, id: "c", quantity: 0, limit: nil, funds: Self.plenty) == .notAPositiveQuantity)
        #expect(Self.refusal(&m, id: "d", quantity: 1, limit: 0, funds: Self.plenty) == .notAPositivePrice)
        let r2 = m.cancel("a")
        #expect(r2)
        let r3 = m.cancel("a")
        #expect(!r3, "an ended order cannot be cancelled again")
        #expect(m.locked == 0)
    }

    @Test func anOrderReachesTheBookAfterTheLatencyAndMeetsTheBookThatStandsThen() throws {
        var m = Matcher(rules: .init(latencyMilliseconds: 500))
        _ = m.observe(asks: Self.asks((2_000_000, 5)), at: 0)
        let r7 = try m.submit(id: "a", quantity: 2, limit: nil, funds: Self.plenty, at: 0)
        #expect(r7.isEmpty)
        #expect(m.nextArrival == 500)
        _ = m.observe(asks: Self.asks((2_200_000, 5)), at: 400)
        let fills = m.arrive(funds: Self.plenty, at: 500)
        #expect(fills.map(\.price) == [2_200_000])
        #expect(m.nextArrival == nil)
    }
}

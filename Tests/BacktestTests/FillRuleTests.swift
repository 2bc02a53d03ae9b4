@testable import Backtest
import Engine
import Execution
import Foundation
import GridAPI
import GridKeeperCore
import Ledger
import Simulator
import Testing
import TestSupport

/// One fill model for every mode: the same book and the same orders fill identically in paper
/// trading and in a backtest's replay, and a resting buy fills at its own limit everywhere.
@Suite struct FillRuleTests {
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    static let minute: Int64 = 60_000

    /// A seeded walk of five-level books, one a minute, with levels that sometimes repeat.
    static func recording(minutes: Int, seed: UInt64) -> Recording {
        var books = RecordedBooks(depth: 5)
        var rng = SplitMix64(seed: seed)
        var mid: Int64 = 2_500_000
        var previous: [(Int64, Int)] = []
        for k in 0..<minutes {
            let ms = start + Int64(k) * minute
            if k > 0, rng.next() % 4 == 0 {
                books.append(ms: ms, bids: [(mid - 20_000, 10)], asks: previous, last: nil)  // an unchanged book
                continue
            }
            mid += Int64(rng.next() % 41) * 1_000 - 20_000
            let asks = (0..<5).map { level in (mid + 10_000 + Int64(level) * 10_000, Int(rng.next() % 6)) }
            books.append(ms: ms, bids: [(mid - 20_000, 10)], asks: asks, last: nil)
            previous = asks
        }
        return Recording(instrument: "text-prime", books: books)
    }

    enum Step { case market(Int), limit(Int, offsetMicros: Int64), cancelOldest }

    /// A fill as both modes report it: which order (by its place in the script), price, units, fee.
    struct SeenFill: Equatable, CustomStringConvertible {
        var order: Int, price: Decimal, units: Decimal, fee: Decimal
        var description: String { "#\(order) \(units)@\(price) fee \(fee)" }
    }

    @Test(arguments: [UInt64(1), 7, 42])
    func paperTradingAndTheReplayFillOneBookSequenceIdentically(seed: UInt64) async throws {
        let minutes = 240
        let recording = Self.recording(minutes: minutes, seed: seed)
        let settings = ReplaySettings(startingUSD: 400, feeRate: Decimal(string: "0.001")!)
        let replay = ReplayExchange(recording: recording, settings: settings)
        // Paper trading reads its market from an untouched replay of the same recording.
        let source = ReplayExchange(recording: recording, settings: settings)
        let clock = ManualTime(Date(ledgerMilliseconds: Self.start))
        let paper = PaperExchange(market: source, rules: .init(feeMillionths: 1_000), now: { clock.now })
        var rng = SplitMix64(seed: seed &+ 99)
        var replayIDs: [String] = [], paperIDs: [String] = []
        var openCount = 0
        for k in 0..<minutes {
            let t = Self.start + Int64(k) * Self.minute
            await replay.advance(to: t)
            await source.advance(to: t)
            clock.now = Date(ledgerMilliseconds: t)
            let view = try await paper.view(instrument: "text-prime")
            let replayView = try await replay.view(instrument: "text-prime")
            #expect(view.asks == replayView.asks, "both offer what the standing book shows less what was taken, minute \(k)")
            let roll = rng.next() % 10
            let step: Step? = roll < 2 ? .market(Int(rng.next() % 8) + 1)
                : roll < 5 ? .limit(Int(rng.next() % 12) + 1, offsetMicros: Int64(rng.next() % 5) * 10_000 - 20_000)
                : roll == 5 && openCount > 0 ? .cancelOldest : nil
            guard let step else { continue }
            let best = replayView.asks.first?.price ?? Decimal(string: "2.5")!
            switch step {
            case .market(let units), .limit(let units, _):
                var price: Decimal?
                if case .limit(_, let offset) = step { price = best + Micros.decimal(offset) }
                let request = OrderRequest(clientOrderID: "o\(replayIDs.count)", marketID: replayView.marketID, quantity: units, limit: price)
                let a = try? await replay.place(request)
                var paperRequest = request
                paperRequest.marketID = view.marketID
                let b = try? await paper.place(paperRequest)
                #expect((a == nil) == (b == nil), "both accept or both refuse order \(replayIDs.count)")
                guard let a, let b else { continue }
                replayIDs.append(a.id)
                paperIDs.append(b.id)
                if price != nil { openCount += 1 }
            case .cancelOldest:
                for (i, id) in replayIDs.enumerated() where try await replay.order(id: id).status.isTerminal == false {
                    try await replay.cancel(orderID: id)
                    try await paper.cancel(orderID: paperIDs[i])
                    break
                }
            }
        }
        func seen(_ exchange: any Exchange, _ ids: [String]) async throws -> [SeenFill] {
            var out: [SeenFill] = []
            for (i, id) in ids.enumerated() {
                out += try await exchange.fills(orderID: id).map { SeenFill(order: i, price: $0.price, units: $0.quantity, fee: $0.fee) }
            }
            return out
        }
        let replayFills = try await seen(replay, replayIDs)
        let paperFills = try await seen(paper, paperIDs)
        #expect(replayIDs.count > 20, "the script placed orders")
        #expect(replayFills.count > 10, "and they filled")
        #expect(paperFills == replayFills)
        for (i, id) in replayIDs.enumerated() {
            let a = try await replay.order(id: id), b = try await paper.order(id: paperIDs[i])
            #expect(a.status == b.status && a.filled == b.filled, "order \(i): \(a.status) \(a.filled) vs \(b.status) \(b.filled)")
        }
        let replayUSD = try await replay.view(instrument: "text-prime").usdAvailable
        let paperUSD = try await paper.view(instrument: "text-prime").usdAvailable
        #expect(replayUSD == paperUSD)
    }

    /// The port's order lookups answer alike in paper trading and in the replay: a client order
    /// id placed again returns the order it placed, lookups by either id find it, and an id
    /// neither placed is refused or absent, with no fills.
    @Test func paperTradingAndTheReplayAnswerOrderLookupsAlike() async throws {
        let replay = ReplayExchange(recording: Self.falling)
        let source = ReplayExchange(recording: Self.falling)
        let clock = ManualTime(Date(ledgerMilliseconds: Self.start))
        let paper = PaperExchange(market: source, now: { clock.now })
        for (name, exchange) in [("replay", replay as any Exchange), ("paper", paper as any Exchange)] {
            let view = try await exchange.view(instrument: "text-prime")
            let request = OrderRequest(clientOrderID: "k-1", marketID: view.marketID, quantity: 12, limit: Decimal(string: "2.55")!)
            let placed = try await exchange.place(request)
            let again = try await exchange.place(request)
            #expect(again.id == placed.id, "\(name): the same client order id is one order")
            #expect(try await exchange.order(clientOrderID: "k-1", marketID: view.marketID)?.id == placed.id, "\(name)")
            #expect(try await exchange.order(clientOrderID: "k-2", marketID: view.marketID) == nil, "\(name)")
            #expect(try await exchange.order(id: placed.id).clientOrderID == "k-1", "\(name)")
            #expect(try await exchange.fills(orderID: placed.id).map(\.quantity) == [10], "\(name): the ask at 2.50 taken, the rest resting")
            #expect(try await exchange.fills(orderID: "nobody").isEmpty, "\(name)")
            await #expect(throws: ExchangeError.self, "\(name)") { try await exchange.order(id: "nobody") }
        }
    }

    // MARK: The resting-fill rule, in every mode

    /// Two books: the first is above the limit, the second comes down through it.
    static let falling: Recording = {
        var books = RecordedBooks(depth: 2)
        books.append(ms: start, bids: [(2_400_000, 5)], asks: [(2_500_000, 10), (2_600_000, 10)], last: nil)
        books.append(ms: start + minute, bids: [(2_200_000, 5)], asks: [(2_300_000, 4), (2_350_000, 10)], last: nil)
        return Recording(instrument: "text-prime", books: books)
    }()

    @Test func aRestingBuyFillsAtItsOwnLimitInTheReplay() async throws {
        let replay = ReplayExchange(recording: Self.falling)
        let view = try await replay.view(instrument: "text-prime")
        let placed = try await replay.place(OrderRequest(clientOrderID: "t", marketID: view.marketID, quantity: 6, limit: Decimal(string: "2.40")!))
        #expect(try await replay.order(id: placed.id).status == .open)
        await replay.advance(to: Self.start + Self.minute)
        let fills = try await replay.fills(orderID: placed.id)
        #expect(fills.map(\.quantity) == [4, 2])
        #expect(fills.allSatisfy { $0.price == Decimal(string: "2.40")! }, "at the limit, not at the asks of 2.30 and 2.35")
    }

    @Test func aRestingBuyFillsAtItsOwnLimitInPaperTrading() async throws {
        let source = ReplayExchange(recording: Self.falling)
        let clock = ManualTime(Date(ledgerMilliseconds: Self.start))
        let paper = PaperExchange(market: source, now: { clock.now })
        let view = try await paper.view(instrument: "text-prime")
        let placed = try await paper.place(OrderRequest(clientOrderID: "t", marketID: view.marketID, quantity: 6, limit: Decimal(string: "2.40")!))
        #expect(try await paper.order(id: placed.id).status == .open)
        await source.advance(to: Self.start + Self.minute)
        clock.now = Date(ledgerMilliseconds: Self.start + Self.minute)
        _ = try await paper.view(instrument: "text-prime")
        let fills = try await paper.fills(orderID: placed.id)
        #expect(fills.map(\.quantity) == [4, 2])
        #expect(fills.allSatisfy { $0.price == Decimal(string: "2.40")! }, "at the limit, not at the asks of 2.30 and 2.35")
    }

    @Test func aRestingBuyFillsAtItsOwnLimitOnTheSimulatedExchange() async throws {
        // The simulator keeps a real price-time book: a resting bid trades at its own price
        // when sellers come down to it.
        let model = MarketModel(seed: 3, volatilityPerHour: 0.08, dailyAmplitude: 0.1)
        let start = Date(ledgerMilliseconds: Self.start)
        let exchange = SimulatedExchange(configuration: SimulatorConfiguration(startingUSD: 100, market: model),
                                         clock: SimulationClock(start: start, speed: 1, wall: { start }))
        let marketID = try #require(await exchange.marketID(symbol: "text-prime"))
        let placed = try await exchange.placeOrder(PlaceOrderRequest(marketID: marketID, side: .buy, type: .limit, quantity: 10, price: Decimal(string: "2.40")!)).order
        var hours = 0
        while try await exchange.order(id: placed.orderID).status != "filled", hours < 24 * 14 {
            await exchange.advance(by: 3600)
            hours += 1
        }
        let fills = await exchange.allFills().filter { $0.orderID == placed.orderID }
        #expect(!fills.isEmpty, "filled within \(hours) h")
        #expect(fills.allSatisfy { $0.price == Decimal(string: "2.40")! })
    }
}

/// A clock tests move by hand.
final class ManualTime: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ start: Date) { value = start }
    var now: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

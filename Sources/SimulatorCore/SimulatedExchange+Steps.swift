import Execution
import Foundation
import GridAPI
import GridKeeperCore

extension SimulatedExchange {
    /// Runs every market and consumption step due up to now. Steps happen at fixed simulated
    /// times (start + k × step), each drawing from the seeded generator in the same order, so
    /// the market's path depends only on the seed and the clock.
    public func catchUp() {
        let now = clock.now
        let step = TimeInterval(configuration.market?.stepSeconds ?? 60)
        while nextStep <= now {
            runStep(at: nextStep, seconds: step)
            nextStep = nextStep.addingTimeInterval(step)
        }
    }

    func runStep(at time: Date, seconds: TimeInterval) {
        let hours = seconds / 3600
        if let model = configuration.market {
            for index in markets.indices {
                moveMarket(index: index, model: model, at: time, hours: hours)
            }
        }
        for instrument in instruments {
            consume(instrument.instrumentID, at: time, seconds: seconds)
        }
    }

    // MARK: Market

    private func moveMarket(index: Int, model: MarketModel, at time: Date, hours: Double) {
        let marketID = markets[index].marketID
        let entry = configuration.instruments[index]
        let baseTicks = NSDecimalNumber(decimal: entry.referencePrice / configuration.tickSize).doubleValue
        var mid = midTicks[marketID] ?? baseTicks
        let target = model.target(baseTicks: baseTicks, at: time)
        mid += model.meanReversionPerHour * hours * (target - mid)
        mid += model.volatilityPerHour * baseTicks * hours.squareRoot() * rng.gaussian()
        if rng.unit() < model.spikesPerDay * hours / 24 {
            mid += model.spikeSize * baseTicks
        }
        let floor = Double(model.halfSpreadTicks + 1)
        mid = max(mid, floor)
        midTicks[marketID] = mid
        requote(marketID: marketID, midTicks: Int(mid.rounded()), halfSpread: model.halfSpreadTicks)
        let trades = rng.poisson(model.backgroundTradesPerHour * hours)
        for _ in 0..<trades {
            let buy = rng.unit() < 0.5
            let quantity = 1 + Int(rng.unit() * 10)
            let book = books[marketID] ?? Book()
            guard let price = buy ? book.asks.first?.price : book.bids.first?.price else { continue }
            let tradeID = nextID("trade")
            lastTrade[marketID] = (price, quantity, time)
            tape[marketID, default: []].append(PublicTrade(
                tradeID: tradeID, marketID: marketID, price: price, quantity: Decimal(quantity), side: buy ? "buy" : "sell",
                executionTimestamp: time.ISO8601Format()))
        }
        if (tape[marketID]?.count ?? 0) > 1000 { tape[marketID]?.removeFirst(500) }
    }

    /// Replaces the liquidity providers' quotes around `midTicks`, then lets them trade with
    /// our resting orders that the new quotes cross (at our, the maker's, price).
    private func requote(marketID: String, midTicks: Int, halfSpread: Int) {
        var book = books[marketID] ?? Book()
        book.asks.removeAll { $0.orderID == nil }
        book.bids.removeAll { $0.orderID == nil }
        let tick = configuration.tickSize
        for level in 0..<max(1, configuration.bookDepth) {
            sequence += 1
            let askTicks = midTicks + halfSpread + level
            let bidTicks = midTicks - halfSpread - level
            book.asks.append(Resting(orderID: nil, price: Decimal(askTicks) * tick, quantity: configuration.levelQuantity, sequence: sequence))
            if bidTicks > 0 {
                book.bids.append(Resting(orderID: nil, price: Decimal(bidTicks) * tick, quantity: configuration.levelQuantity, sequence: sequence))
            }
        }
        book.asks.sort { $0.price != $1.price ? $0.price < $1.price : $0.sequence < $1.sequence }
        book.bids.sort { $0.price != $1.price ? $0.price > $1.price : $0.sequence < $1.sequence }
        books[marketID] = book
        crossRestingOrders(marketID: marketID)
    }

    private func crossRestingOrders(marketID: String) {
        guard var book = books[marketID], let instrumentID = markets.first(where: { $0.marketID == marketID })?.associatedInstruments.first
        else { return }
        // Our resting bids that the providers' asks now reach, then our asks their bids.
        cross(ours: &book.bids, against: &book.asks, reaches: { theirs, ours in theirs <= ours }, instrumentID: instrumentID)
        cross(ours: &book.asks, against: &book.bids, reaches: { theirs, ours in theirs >= ours }, instrumentID: instrumentID)
        books[marketID] = book
    }

    /// Fills our resting orders on one side against the liquidity providers' orders on the
    /// other that `reaches` their price, at our (the maker's) price.
    private func cross(ours side: inout [Resting], against other: inout [Resting], reaches: (Decimal, Decimal) -> Bool, instrumentID: String) {
        for index in side.indices where side[index].orderID != nil {
            let resting = side[index]
            var remaining = resting.quantity
            var otherIndex = 0
            while remaining > 0, otherIndex < other.count, reaches(other[otherIndex].price, resting.price) {
                guard other[otherIndex].orderID == nil else {
                    otherIndex += 1
                    continue
                }
                let take = min(remaining, other[otherIndex].quantity)
                other[otherIndex].quantity -= take
                remaining -= take
                if let orderID = resting.orderID, let order = orderIndex[orderID] {
                    fill(orderIndex: order, price: resting.price, quantity: take, instrumentID: instrumentID)
                }
                if other[otherIndex].quantity == 0 { other.remove(at: otherIndex) }
            }
            side[index].quantity = remaining
        }
        side.removeAll { $0.quantity == 0 }
    }

    // MARK: Consumption

    /// Expires lots past their four hours, then draws this step's burn from the lots closest
    /// to expiry first. Demand with nothing usable counts as stockout time.
    private func consume(_ instrumentID: String, at time: Date, seconds: TimeInterval) {
        var book = lots[instrumentID] ?? LotBook()
        book.expire(through: LotBook.milliseconds(time))
        defer { lots[instrumentID] = book }
        guard let profile = burn[instrumentID] else { return }
        var rate = profile.baseRate(at: time)
        if profile.kind == .bursts {
            if let until = burstUntil[instrumentID], until > time {
                rate += profile.burstUnitsPerHour
            } else if rng.unit() < profile.burstsPerDay * seconds / 86_400 {
                burstUntil[instrumentID] = time.addingTimeInterval(profile.burstMinutes * 60)
                rate += profile.burstUnitsPerHour
            }
        }
        var carry = (burnCarry[instrumentID] ?? 0) + max(0, rate) * seconds / 3600
        // The epsilon keeps 0.1 × 10 steps from landing at 0.9999… and losing a unit.
        let demand = Int((carry + 1e-9).rounded(.down))
        carry -= Double(demand)
        // Unmet demand is not carried over: inference simply failed while dry.
        book.step(wanted: Int64(demand) * 1000, demandPresent: rate > 0, seconds: seconds.rounded(.down))
        burnCarry[instrumentID] = max(0, carry)
    }

    /// Changes an instrument's burn profile (`nil` stops burning).
    public func setBurn(symbol: String, _ profile: BurnProfile?) throws(SimulatorError) {
        catchUp()
        let id = try instrument(symbol: symbol).instrumentID
        burn[id] = profile
    }

    /// Sets balances directly (admin/test control).
    public func setBalances(usd: Decimal?, inventory newInventory: [String: Int], consumption: [String: Int]) throws(SimulatorError) {
        catchUp()
        if let usd {
            guard usd >= 0 else { throw .invalid("usd must be ≥ 0") }
            usdAvailable = usd
        }
        for (symbol, units) in newInventory {
            guard units >= 0 else { throw .invalid("inventory must be ≥ 0") }
            inventory[try instrument(symbol: symbol).instrumentID] = units
        }
        for (symbol, units) in consumption {
            guard units >= 0 else { throw .invalid("consumption must be ≥ 0") }
            let id = try instrument(symbol: symbol).instrumentID
            // The balance is replaced; what the account used and lost so far stays counted.
            var book = lots[id] ?? LotBook()
            book.expire(through: LotBook.milliseconds(now))
            _ = book.withdraw(units: book.units)
            book.arrive(units: units, at: LotBook.milliseconds(now))
            lots[id] = book
        }
    }
}

/// What a recorder sees of one instrument at one moment.
public struct MarketSample: Sendable {
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var last: Decimal?
    /// The trades on the tape, oldest first.
    public var trades: [PublicTrade]
    /// Demand now, units per hour (bursts included).
    public var burnUnitsPerHour: Double
}

extension SimulatedExchange {
    /// The book's top `depth` levels, the last price, the tape and the demand of `symbol` now.
    public func sample(symbol: String, depth: Int = 5) -> MarketSample? {
        guard let marketID = marketID(symbol: symbol), let instrumentID = instrumentID(symbol: symbol),
              let book = try? orderBook(marketID: marketID, depth: depth), let trades = try? publicTrades(marketID: marketID)
        else { return nil }
        var rate = 0.0
        if let profile = burn[instrumentID] {
            rate = max(0, profile.baseRate(at: now))
            if profile.kind == .bursts, let until = burstUntil[instrumentID], until > now { rate += profile.burstUnitsPerHour }
        }
        return MarketSample(bids: book.bids, asks: book.asks, last: try? ticker(marketID: marketID).lastPrice, trades: trades.reversed(),
                            burnUnitsPerHour: rate)
    }
}

import Foundation
import GRDB
import GridAPI
import GridKeeperCore
import Ledger
import Simulator

/// The invariants of a schedule, checked against the exchange's own records (orders, fills,
/// balances), with the ledger file read as an auditor would.
enum ChaosAudit {
    struct Result {
        var violations: [String] = []
        var orders = 0
        var fills = 0
        var spent: Decimal = 0
    }

    static func check(schedule s: ChaosSchedule, strategies: [Strategy], sim: SimulatedExchange, ledgerPath: String) async -> Result {
        var result = Result()
        let orders = await sim.allOrders()
        let fills = await sim.allFills().filter { $0.side == .buy }
        result.orders = orders.count
        result.fills = fills.count
        func fail(_ message: String) { result.violations.append(message) }

        // No client_order_id twice.
        var seen: [String: Int] = [:]
        for order in orders { if let id = order.clientOrderID { seen[id, default: 0] += 1 } }
        for (id, n) in seen where n > 1 { fail("client_order_id \(id) placed \(n) times") }

        // Caps, from the exchange's fills at the exchange's execution times.
        var symbolOf: [String: String] = [:]
        for plan in s.strategies { if let id = await sim.instrumentID(symbol: plan.symbol) { symbolOf[id] = plan.symbol } }
        let orderByID = Dictionary(orders.map { ($0.orderID, $0) }, uniquingKeysWith: { a, _ in a })
        var perDay: [String: Decimal] = [:], perMonth: [String: Decimal] = [:], perOrder: [String: Decimal] = [:]
        var dayFills: [String: [String]] = [:]
        for fill in fills {
            let cost = fill.price * fill.quantity + (fill.fee ?? 0)
            result.spent += cost
            guard let at = fill.executionTimestamp.flatMap(Timestamp.parse) else {
                fail("fill \(fill.tradeID) has no execution time")
                continue
            }
            let period = SpendPeriods(containing: at, in: s.timeZone)
            let symbol = fill.instrumentID.flatMap { symbolOf[$0] } ?? "?"
            for key in [symbol, "*"] {
                perDay["\(key)|\(period.dayStart)", default: 0] += cost
                let order = fill.orderID.flatMap { orderByID[$0] }
                dayFills["\(key)|\(period.dayStart)", default: []].append(
                    "\(fill.executionTimestamp ?? "?") \(fill.quantity)@\(fill.price) \(order?.clientOrderID ?? "?") \(order?.type?.rawValue ?? "") created \(order?.createdAt ?? "?")")
                perMonth["\(key)|\(period.monthStart)", default: 0] += cost
            }
            perOrder[fill.orderID ?? "?", default: 0] += cost
            if let strategy = strategies.first(where: { $0.instrument == symbol }), let max = strategy.budget.maxUnitPrice, fill.price > max {
                fail("fill \(fill.tradeID) of \(symbol) at \(fill.price) is over max_unit_price \(max)")
            }
        }
        func day(_ key: String) -> String {
            let ms = Int64(key.split(separator: "|").last ?? "") ?? 0
            let f = ISO8601DateFormatter()
            f.timeZone = s.timeZone
            return f.string(from: Date(ledgerMilliseconds: ms))
        }
        for strategy in strategies {
            if let cap = strategy.budget.daily {
                for (key, spent) in perDay where key.hasPrefix(strategy.instrument + "|") && spent > cap {
                    fail("\(strategy.instrument) spent \(spent) on the day from \(day(key)) against a daily cap of \(cap): \((dayFills[key] ?? []).joined(separator: ", "))")
                }
            }
            if let cap = strategy.budget.monthly {
                for (key, spent) in perMonth where key.hasPrefix(strategy.instrument + "|") && spent > cap {
                    fail("\(strategy.instrument) spent \(spent) in the month from \(day(key)) against a monthly cap of \(cap)")
                }
            }
            if let cap = strategy.budget.perOrder {
                for (orderID, spent) in perOrder where spent > cap {
                    if let order = orderByID[orderID], order.instrumentID.flatMap({ symbolOf[$0] }) == strategy.instrument {
                        fail("order \(orderID) of \(strategy.instrument) cost \(spent) against a per_order cap of \(cap)")
                    }
                }
            }
        }
        if let global = s.globalBudget {
            if let cap = global.daily {
                for (key, spent) in perDay where key.hasPrefix("*|") && spent > cap { fail("all instruments spent \(spent) on the day from \(day(key)) against a global daily cap of \(cap)") }
            }
            if let cap = global.monthly {
                for (key, spent) in perMonth where key.hasPrefix("*|") && spent > cap { fail("all instruments spent \(spent) in the month from \(day(key)) against a global monthly cap of \(cap)") }
            }
        }

        // The ledger, read as an auditor would.
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let db = try DatabaseQueue(path: ledgerPath, configuration: configuration)
            let (ledgerOrders, ledgerFills) = try db.read { db in
                (try Set(String.fetchAll(db, sql: "SELECT client_order_id FROM orders")),
                 try Row.fetchAll(db, sql: "SELECT trade_id, quantity, price_micros, fee_micros FROM fills"))
            }
            for order in orders {
                guard let id = order.clientOrderID else { fail("exchange order \(order.orderID) has no client_order_id"); continue }
                if !ledgerOrders.contains(id) { fail("exchange order \(order.orderID) (\(id)) has no ledger row") }
            }
            var exchangeFills: [String: String] = [:]
            for fill in fills {
                let micros = (try? Micros.exactly(fill.price)) ?? -1
                let fee = (try? Micros.exactly(fill.fee ?? 0)) ?? -1
                exchangeFills[fill.tradeID] = "\(Units(exactly: fill.quantity)?.rawValue ?? -1)@\(micros)+\(fee)"
            }
            var recorded: [String: String] = [:]
            for row in ledgerFills {
                let id: String = row["trade_id"]
                let quantity: Int = row["quantity"], price: Int64 = row["price_micros"], fee: Int64 = row["fee_micros"]
                recorded[id] = "\(quantity)@\(price)+\(fee)"
            }
            for (id, fill) in exchangeFills where recorded[id] != fill {
                fail("exchange fill \(id) \(fill) is \(recorded[id].map { "recorded as \($0)" } ?? "missing from the ledger")")
            }
            for id in recorded.keys where exchangeFills[id] == nil { fail("ledger fill \(id) is not on the exchange") }
        } catch {
            fail("cannot read the ledger: \(error)")
        }

        // Balances and units.
        let usd = await sim.usdBalance()
        if usd.available < 0 || usd.locked < 0 { fail("USD balance negative: available \(usd.available), locked \(usd.locked)") }
        for plan in s.strategies {
            guard let book = await sim.unitBook(symbol: plan.symbol) else { continue }
            if book.trading < 0 || book.consumption < 0 { fail("\(plan.symbol): negative units \(book)") }
            let start = 4
            if start + book.bought != book.burned + book.expired + book.trading + book.consumption {
                fail("\(plan.symbol): units not conserved: \(start) at start + \(book.bought) bought ≠ \(book.burned) used + \(book.expired) expired + \(book.trading) trading + \(book.consumption) in consumption")
            }
        }
        return result
    }
}

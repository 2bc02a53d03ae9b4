import Foundation
import GridKeeperCore

/// The orders an in-memory exchange placed with its `Matcher`: who placed each (client order
/// id, market, instrument) and the fills booked to each. Paper trading and the backtest's
/// replay keep their orders in one, and answer the `Exchange` port's order lookups from it
/// (`JournaledExchange`), so the two answer them the same way.
public struct OrderJournal: Sendable {
    public struct Entry: Sendable, Equatable {
        public var clientOrderID: String
        public var marketID: String
        /// The instrument the order buys, as the exchange keeping the journal names it.
        public var instrument: String
    }

    /// What its orders are called in errors: `paper order`, `replay order`.
    public let label: String
    private var entries: [String: Entry] = [:]
    private var byClientID: [String: String] = [:]
    private var fillsByOrder: [String: [OrderFill]] = [:]

    public init(label: String) {
        self.label = label
    }

    /// The order placed under `id`, if this journal holds it.
    public func entry(_ id: String) -> Entry? { entries[id] }

    /// The order id placed for a client order id (the idempotency key).
    public func orderID(clientOrderID: String) -> String? { byClientID[clientOrderID] }

    /// Keeps a placed order.
    public mutating func add(id: String, clientOrderID: String, marketID: String, instrument: String) {
        entries[id] = Entry(clientOrderID: clientOrderID, marketID: marketID, instrument: instrument)
        byClientID[clientOrderID] = id
    }

    /// Books a fill to its order (the matcher's fills always name theirs).
    public mutating func book(_ fill: OrderFill, to orderID: String) {
        fillsByOrder[orderID, default: []].append(fill)
    }

    /// The fills booked to an order, oldest first.
    public func fills(orderID: String) -> [OrderFill] { fillsByOrder[orderID] ?? [] }
}

/// An in-memory exchange whose orders are kept in an `OrderJournal`: the order lookups of the
/// `Exchange` port come from the journal and the exchange's `ticket(_:)`.
public protocol JournaledExchange: Exchange, Actor {
    var journal: OrderJournal { get }
    /// The order as the fill model holds it now, or nil if it was never placed here.
    func ticket(_ id: String) -> OrderTicket?
}

extension JournaledExchange {
    public func order(clientOrderID: String, marketID: String?) async throws(ExchangeError) -> OrderTicket? {
        journal.orderID(clientOrderID: clientOrderID).flatMap(ticket)
    }

    public func order(id: String) async throws(ExchangeError) -> OrderTicket {
        guard let order = ticket(id) else { throw .rejected("\(journal.label) \(id): not found") }
        return order
    }

    public func fills(orderID: String) async throws(ExchangeError) -> [OrderFill] { journal.fills(orderID: orderID) }
}

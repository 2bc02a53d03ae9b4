import Foundation
import GridKeeperCore
import GridAPI
import Testing

/// Every spelling of an order's status the exchange may send means one domain value.
@Suite struct OrderStatusTests {
    @Test(arguments: [
        ("open", OrderStatus.open), ("ACTIVE", .open), ("new", .open), ("partially_filled", .partiallyFilled),
        ("filled", .filled), ("Filled", .filled), ("cancelled", .cancelled), ("canceled", .cancelled),
        ("rejected", .rejected), ("expired", .expired), ("closed", .expired), ("suspended", .other("suspended")),
    ])
    func spellingsReadAsOneStatus(_ wire: String, _ expected: OrderStatus) {
        #expect(OrderStatus(wire: wire) == expected)
    }

    @Test func terminalStatusesAreTheOnesTheExchangeWillNotChange() {
        let terminal = [OrderStatus.filled, .cancelled, .rejected, .expired].map(\.isTerminal)
        let live = [OrderStatus.open, .partiallyFilled, .other("suspended")].map(\.isTerminal)
        #expect(terminal == [true, true, true, true])
        #expect(live == [false, false, false])
    }

    static func order(_ status: String, quantity: Decimal, filled: Decimal) -> Order {
        Order(orderID: "o", clientOrderID: nil, marketID: "m", instrumentID: "i", side: .buy, type: .limit, status: status,
              quantity: quantity, filledQuantity: filled, price: 2, createdAt: nil, updatedAt: nil)
    }

    @Test func anOrdersStatusReadsItsFillsToo() {
        #expect(Self.order("closed", quantity: 5, filled: 5).orderStatus == .filled, "closed with everything filled")
        #expect(Self.order("closed", quantity: 5, filled: 2).orderStatus == .expired)
        #expect(Self.order("active", quantity: 5, filled: 2).orderStatus == .partiallyFilled)
        #expect(Self.order("suspended", quantity: 5, filled: 0).orderStatus == .other("suspended"))
        #expect(Self.order("canceled", quantity: 5, filled: 0).isTerminal)
        #expect(OrderStatus.partiallyFilled.wire == "partially_filled" && OrderStatus(wire: OrderStatus.cancelled.wire) == .cancelled)
    }
}

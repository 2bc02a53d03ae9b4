import Foundation

/// A parsed, validated strategy file: one instrument, a budget, and ordered rules.
public struct Strategy: Sendable, Equatable {
    public struct Budget: Sendable, Equatable {
        /// USD per day (midnight to midnight in the ledger's time zone).
        public var daily: Decimal? { didSet { caps = Caps(self) } }
        /// USD per calendar month.
        public var monthly: Decimal? { didSet { caps = Caps(self) } }
        /// USD for any one order.
        public var perOrder: Decimal? { didSet { caps = Caps(self) } }
        /// USD per unit never to be exceeded.
        public var maxUnitPrice: Decimal? { didSet { caps = Caps(self) } }
        /// The same caps as the guardrails compute with them (equal budgets have equal caps).
        private(set) var caps: Caps

        public init(daily: Decimal? = nil, monthly: Decimal? = nil, perOrder: Decimal? = nil, maxUnitPrice: Decimal? = nil) {
            self.daily = daily
            self.monthly = monthly
            self.perOrder = perOrder
            self.maxUnitPrice = maxUnitPrice
            caps = Caps(daily: daily, monthly: monthly, perOrder: perOrder, maxUnitPrice: maxUnitPrice)
        }

        struct Caps: Sendable, Equatable {
            var daily, monthly, perOrder, maxUnitPrice: Exact?

            init(daily: Decimal?, monthly: Decimal?, perOrder: Decimal?, maxUnitPrice: Decimal?) {
                self.daily = daily.map(Exact.init)
                self.monthly = monthly.map(Exact.init)
                self.perOrder = perOrder.map(Exact.init)
                self.maxUnitPrice = maxUnitPrice.map(Exact.init)
            }

            init(_ budget: Budget) { self.init(daily: budget.daily, monthly: budget.monthly, perOrder: budget.perOrder, maxUnitPrice: budget.maxUnitPrice) }
        }
    }

    public enum OrderKind: String, Sendable, Equatable { case market, limit }

    public enum Action: Sendable, Equatable {
        /// Buy `quantity` units (an expression of type units) at market or at a limit price.
        case buy(quantity: Expression, order: OrderKind, price: Expression?, cancelAfter: Decimal?)
        /// Move `quantity` units from the trading to the consumption account.
        case transfer(quantity: Expression, beyondLotWindow: Bool)
        /// Cancel open buy orders, optionally only those older than a duration (seconds).
        case cancel(olderThan: Decimal?)

        public var name: String {
            switch self {
            case .buy: return "buy"
            case .transfer: return "transfer"
            case .cancel: return "cancel"
            }
        }
    }

    public struct Rule: Sendable, Equatable {
        public var name: String
        public var when: Expression { didSet { compiled = CompiledRule(when: when, action: action) } }
        /// The `when` text as written, for reasons.
        public var whenText: String
        public var action: Action { didSet { compiled = CompiledRule(when: when, action: action) } }
        public var position: SourcePosition
        /// `when` and the action's expressions as the evaluator walks them.
        private(set) var compiled: CompiledRule

        init(name: String, when: Expression, whenText: String, action: Action, position: SourcePosition) {
            self.name = name
            self.when = when
            self.whenText = whenText
            self.action = action
            self.position = position
            compiled = CompiledRule(when: when, action: action)
        }
    }

    public var name: String
    public var instrument: String
    /// Seconds between evaluations.
    public var every: Decimal
    /// Seconds of balance history the burn rate is estimated over.
    public var burnWindow: Decimal
    public var budget: Budget
    public var rules: [Rule]
    public var description: String?
    /// The file it came from.
    public var file: String

    /// Seconds of market and balance history the rules read: the longest window of any
    /// function, `burn_window`, a quarter hour before `burn_peak`'s window, and a week for
    /// `forecast`'s demand profile.
    public var historyNeeded: TimeInterval {
        var longest = burnWindow
        func visit(_ e: Expression) {
            switch e {
            case .literal, .signal: break
            case .call(let f, let argument, let window):
                switch f {
                case .avg, .min, .max, .ewma, .rank: longest = Swift.max(longest, window ?? 0)
                case .burnOver:
                    if case .literal(let seconds, _) = argument { longest = Swift.max(longest, seconds) }
                case .burnPeak:
                    if case .literal(let seconds, _) = argument { longest = Swift.max(longest, seconds + DemandModel.peakStretch) }
                case .forecast: longest = Swift.max(longest, 7 * 86_400)
                case .cover, .coverStock: break
                }
            case .coverAt(_, _, let rate): visit(rate)
            case .unary(_, let inner): visit(inner)
            case .binary(_, let l, let r):
                visit(l)
                visit(r)
            }
        }
        for rule in rules {
            visit(rule.when)
            switch rule.action {
            case .buy(let quantity, _, let price, _):
                visit(quantity)
                if let price { visit(price) }
            case .transfer(let quantity, _): visit(quantity)
            case .cancel: break
            }
        }
        return NSDecimalNumber(decimal: longest).doubleValue
    }
    /// Where the file names the strategy and its instrument (for errors that involve other files).
    public var namePosition = SourcePosition(line: 1, column: 1)
    public var instrumentPosition = SourcePosition(line: 1, column: 1)
}

/// One problem in a strategy file, located.
public struct StrategyDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var position: SourcePosition
    public var message: String

    /// `file:line:column: message`
    public var description: String { "\(file):\(position.line):\(position.column): \(message)" }
}

/// Every problem found in a file, in order.
public struct StrategyErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [StrategyDiagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

import Foundation
import Yams

/// Reads strategy YAML into a `Strategy`, reporting every problem with its file:line:column.
public struct StrategyParser {
    let file: String
    var diagnostics: [StrategyDiagnostic] = []

    /// Parses one strategy file's text.
    /// - Parameter file: the name used in diagnostics.
    /// - Throws: `StrategyErrors` with every problem found (not just the first).
    public static func parse(_ text: String, file: String) throws(StrategyErrors) -> Strategy {
        var parser = StrategyParser(file: file)
        guard let node = try compose(text, file: file) else {
            throw StrategyErrors(diagnostics: [StrategyDiagnostic(file: file, position: .init(line: 1, column: 1), message: "the file is empty: expected a strategy mapping with strategy, instrument, every, budget and rules")])
        }
        let strategy = parser.strategy(node)
        if let strategy, parser.diagnostics.isEmpty { return strategy }
        throw StrategyErrors(diagnostics: parser.diagnostics.sorted { $0.position < $1.position })
    }

    /// Reads and parses a file from disk.
    public static func load(path: String) throws(StrategyErrors) -> Strategy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StrategyErrors(diagnostics: [StrategyDiagnostic(file: path, position: .init(line: 1, column: 1), message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StrategyErrors(diagnostics: [StrategyDiagnostic(file: path, position: .init(line: 1, column: 1), message: "the file is not UTF-8 text")])
        }
        return try parse(text, file: path)
    }

    /// The YAML node tree of `text` (nil when empty), with YAML errors located.
    static func compose(_ text: String, file: String) throws(StrategyErrors) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw StrategyErrors(diagnostics: [StrategyParser(file: file).yamlDiagnostic(error)])
        } catch {
            throw StrategyErrors(diagnostics: [StrategyDiagnostic(file: file, position: .init(line: 1, column: 1), message: "cannot read YAML: \(error)")])
        }
    }

    // MARK: Diagnostics

    mutating func error(_ node: Node?, _ message: String, offset: Int = 0) {
        var position = SourcePosition(line: 1, column: 1)
        if let mark = node?.mark {
            position = SourcePosition(line: mark.line, column: mark.column)
            if let scalar = node?.scalar, offset > 0, !scalar.string.contains("\n") {
                position.column += offset + (scalar.style == .plain ? 0 : 1)
            }
        }
        diagnostics.append(StrategyDiagnostic(file: file, position: position, message: message))
    }

    func yamlDiagnostic(_ error: YamlError) -> StrategyDiagnostic {
        switch error {
        case .parser(_, let problem, let mark, _) where problem.hasPrefix("Maximum nesting level reached"):
            // libyaml stops at 1,000 levels, before Yams' composer (which recurses once per
            // level) could run out of stack; its own wording names a C function.
            return StrategyDiagnostic(file: file, position: .init(line: max(1, mark.line), column: max(1, mark.column)),
                                      message: "invalid YAML: nested deeper than 1000 levels")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return StrategyDiagnostic(file: file, position: .init(line: max(1, mark.line), column: max(1, mark.column)), message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return StrategyDiagnostic(file: file, position: .init(line: max(1, context.mark.line), column: max(1, context.mark.column)),
                                      message: "duplicate key \(duplicates.joined(separator: ", "))")
        case .reader(let problem, _, _, _):
            return StrategyDiagnostic(file: file, position: .init(line: 1, column: 1), message: "invalid text: \(problem)")
        default:
            return StrategyDiagnostic(file: file, position: .init(line: 1, column: 1), message: "invalid YAML: \(error)")
        }
    }

    // MARK: Structure

    /// The keys of a mapping, checking for unknown ones (with a suggestion) and missing ones.
    mutating func fields(_ node: Node, allowed: [String], required: [String], what: String) -> [String: Node]? {
        guard let mapping = node.mapping else {
            error(node, "\(what) must be a mapping with \(required.isEmpty ? allowed.joined(separator: ", ") : required.joined(separator: ", "))")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(key, "keys must be plain names")
                continue
            }
            guard allowed.contains(name) else {
                let hint = Suggest.closest(name, in: allowed).map { "; did you mean '\($0)'?" } ?? "; expected one of \(allowed.joined(separator: ", "))"
                error(key, "unknown key '\(name)' in \(what)\(hint)")
                continue
            }
            if result[name] != nil {
                error(key, "duplicate key '\(name)' in \(what)")
                continue
            }
            result[name] = value
        }
        for name in required where result[name] == nil {
            error(node, "\(what) is missing '\(name)'")
        }
        return result
    }

    mutating func string(_ node: Node?, what: String) -> String? {
        guard let node else { return nil }
        guard let scalar = node.scalar, node.tag.description != "tag:yaml.org,2002:null" else {
            error(node, "\(what): expected text")
            return nil
        }
        return scalar.string
    }

    mutating func decimal(_ node: Node?, what: String, example: String) -> Decimal? {
        guard let node else { return nil }
        if let text = node.scalar?.string, text.hasPrefix("-"), Self.strictDecimal(String(text.dropFirst())) != nil {
            error(node, "\(what): must not be negative, got \(text)")
            return nil
        }
        guard let text = node.scalar?.string, let value = Self.strictDecimal(text), value >= 0 else {
            error(node, "\(what): expected a decimal like \(example), got \(Self.show(node))")
            return nil
        }
        return value
    }

    mutating func duration(_ node: Node?, what: String, min: Decimal = 1, max: Decimal = 366 * 86_400) -> Decimal? {
        guard let node else { return nil }
        guard let text = node.scalar?.string, let seconds = Self.duration(text) else {
            error(node, "\(what): expected a duration like 30s, 15m, 1h or 2d, got \(Self.show(node))")
            return nil
        }
        guard seconds >= min, seconds <= max else {
            error(node, "\(what): must be between \(ValueFormat.duration(seconds: min)) and \(ValueFormat.duration(seconds: max))")
            return nil
        }
        return seconds
    }

    mutating func bool(_ node: Node?, what: String) -> Bool? {
        guard let node else { return nil }
        switch node.scalar?.string.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            error(node, "\(what): expected true or false, got \(Self.show(node))")
            return nil
        }
    }

    mutating func expression(_ node: Node?, type: ValueType, what: String, hint: String? = nil) -> (Expression, String)? {
        guard let node else { return nil }
        guard let scalar = node.scalar else {
            error(node, "\(what): expected an expression, got a \(node.mapping != nil ? "mapping" : "list")")
            return nil
        }
        do {
            return (try ExpressionParser.parse(scalar.string, expecting: type), scalar.string)
        } catch {
            self.error(node, "\(what): \(hint.map { $0 + ": " } ?? "")\(error.message)", offset: error.offset)
            return nil
        }
    }

    /// A quantity of units. A number written as the quantity must be a count the engine can
    /// order: not negative, not beyond `Evaluator.maximumUnits` (which a computed quantity is
    /// cut to at run time, with a guardrail note).
    mutating func quantity(_ node: Node?, what: String) -> (Expression, String)? {
        guard let parsed = expression(node, type: .units, what: what) else { return nil }
        guard let value = ExpressionParser.untypedValue(parsed.0) else { return parsed }
        if value < 0 {
            error(node, "\(what): \(Evaluator.source(parsed.0)) is negative; a quantity is a number of units, 0 or more")
            return nil
        }
        if value > Decimal(Evaluator.maximumUnits) {
            error(node, "\(what): \(parsed.1.trimmingCharacters(in: .whitespaces)) is more than \(Evaluator.maximumUnits) units, the most one rule may ask for")
            return nil
        }
        return parsed
    }

    static func show(_ node: Node) -> String {
        if let s = node.scalar?.string { return s.isEmpty ? "nothing" : "\"\(s.prefix(40))\"" }
        return node.mapping != nil ? "a mapping" : "a list"
    }

    static func strictDecimal(_ text: String) -> Decimal? {
        var seenDigit = false, seenDot = false
        for (i, c) in text.enumerated() {
            if c.isASCII && c.isNumber { seenDigit = true } else if c == "." && !seenDot && i > 0 { seenDot = true } else { return nil }
        }
        guard seenDigit, !text.hasSuffix("."), text.count <= 30 else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    public static func duration(_ text: String) -> Decimal? {
        guard let unit = text.last, let number = strictDecimal(String(text.dropLast())) else { return nil }
        switch unit {
        case "s": return number
        case "m": return number * 60
        case "h": return number * 3600
        case "d": return number * 86_400
        default: return nil
        }
    }

    // MARK: Strategy

    mutating func strategy(_ node: Node) -> Strategy? {
        guard let top = fields(node, allowed: ["strategy", "instrument", "every", "burn_window", "budget", "rules", "description"],
                               required: ["strategy", "instrument", "every", "rules"], what: "the strategy") else { return nil }
        let name = string(top["strategy"], what: "strategy")
        if let name, !Self.isName(name) { error(top["strategy"], "strategy: use letters, digits, - and _ (got \"\(name)\")") }
        let instrument = string(top["instrument"], what: "instrument")
        if let instrument, InstrumentCatalog.entry(symbol: instrument) == nil {
            let hint = Suggest.closest(instrument, in: InstrumentCatalog.all.map(\.symbol)).map { "; did you mean '\($0)'?" } ?? ""
            error(top["instrument"], "instrument: unknown instrument '\(instrument)'\(hint)")
        }
        let every = duration(top["every"], what: "every", min: 10, max: 86_400)
        let burnWindow = top["burn_window"].map { duration($0, what: "burn_window", min: 300, max: 7 * 86_400) } ?? 3600
        var budget = Strategy.Budget()
        // The budget's keys as written (nil when the budget itself is malformed, already an
        // error): a cap that is there but invalid has its own error, not a second "needs" one.
        var budgetKeys: [String: Node]? = [:]
        if let budgetNode = top["budget"] {
            budgetKeys = fields(budgetNode, allowed: ["daily", "monthly", "per_order", "max_unit_price"], required: [], what: "budget")
        }
        if let b = budgetKeys {
            budget.daily = decimal(b["daily"], what: "budget.daily", example: "40.00")
            budget.monthly = decimal(b["monthly"], what: "budget.monthly", example: "600.00")
            budget.perOrder = decimal(b["per_order"], what: "budget.per_order", example: "15.00")
            budget.maxUnitPrice = decimal(b["max_unit_price"], what: "budget.max_unit_price", example: "3.00")
        }
        var description: String?
        if let node = top["description"], node.tag.description != "tag:yaml.org,2002:null" {
            description = string(node, what: "description")
        }
        var rules: [Strategy.Rule] = []
        if let rulesNode = top["rules"] {
            if let sequence = rulesNode.sequence, !sequence.isEmpty {
                var names: Set<String> = []
                for item in sequence {
                    if let name = item.mapping?["name"]?.scalar?.string, !names.insert(name).inserted {
                        error(item, "rule name '\(name)' is used twice")
                    }
                    guard let rule = rule(item) else { continue }
                    rules.append(rule)
                }
            } else {
                error(rulesNode, "rules: expected a list of rules, each with name, when and one of buy, transfer or cancel")
            }
        }
        let buys = rules.contains { if case .buy = $0.action { return true } else { return false } }
        if buys, let b = budgetKeys {
            if b["daily"] == nil && b["monthly"] == nil {
                error(top["budget"] ?? node, "a strategy that buys needs budget.daily or budget.monthly")
            }
            if b["max_unit_price"] == nil {
                error(top["budget"] ?? node, "a strategy that buys needs budget.max_unit_price (the most it may pay per unit)")
            }
        }
        guard let name, let instrument, let every, let burnWindow else { return nil }
        return Strategy(name: name, instrument: instrument, every: every, burnWindow: burnWindow, budget: budget, rules: rules,
                        description: description, file: file, namePosition: Self.position(top["strategy"]),
                        instrumentPosition: Self.position(top["instrument"]))
    }

    static func position(_ node: Node?) -> SourcePosition {
        guard let mark = node?.mark else { return SourcePosition(line: 1, column: 1) }
        return SourcePosition(line: mark.line, column: mark.column)
    }

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }
    }

    mutating func rule(_ node: Node) -> Strategy.Rule? {
        guard let f = fields(node, allowed: ["name", "when", "buy", "transfer", "cancel"], required: ["name", "when"], what: "a rule") else { return nil }
        let name = string(f["name"], what: "name")
        if let name, !Self.isName(name) { error(f["name"], "name: use letters, digits, - and _ (got \"\(name)\")") }
        let when = expression(f["when"], type: .bool, what: "when")
        let actions = ["buy", "transfer", "cancel"].filter { f[$0] != nil }
        guard actions.count == 1 else {
            error(node, actions.isEmpty ? "a rule needs one action: buy, transfer or cancel" : "a rule takes one action, got \(actions.joined(separator: " and "))")
            return nil
        }
        var action: Strategy.Action?
        if let buyNode = f["buy"], let b = fields(buyNode, allowed: ["quantity", "order", "price", "cancel_after"], required: ["quantity", "order"], what: "buy") {
            let quantity = quantity(b["quantity"], what: "buy.quantity")
            var kind: Strategy.OrderKind?
            if let orderNode = b["order"] {
                kind = orderNode.scalar.flatMap { Strategy.OrderKind(rawValue: $0.string) }
                if kind == nil { error(orderNode, "buy.order: expected market or limit, got \(Self.show(orderNode))") }
            }
            var price: (Expression, String)?
            if kind == .limit {
                if b["price"] == nil { error(buyNode, "buy: a limit order needs a price, e.g. price: bid + tick") }
                price = expression(b["price"], type: .price, what: "buy.price", hint: "expected a decimal like 2.50 or an expression like bid + tick")
                if let written = price, let value = ExpressionParser.untypedValue(written.0), value <= 0 {
                    error(b["price"], "buy.price: a limit price must be more than 0, got \(Evaluator.source(written.0))")
                    price = nil
                }
            } else if kind == .market, let p = b["price"] {
                error(p, "buy.price: a market order takes no price; use order: limit")
            }
            var cancelAfter: Decimal?
            if let c = b["cancel_after"] {
                if kind == .market { error(c, "buy.cancel_after: only limit orders rest on the book") }
                cancelAfter = duration(c, what: "buy.cancel_after", min: 10, max: 7 * 86_400)
            }
            if let quantity, let kind, kind == .market || price != nil {
                action = .buy(quantity: quantity.0, order: kind, price: price?.0, cancelAfter: cancelAfter)
            }
        }
        if let transferNode = f["transfer"], let t = fields(transferNode, allowed: ["quantity", "beyond_lot_window"], required: ["quantity"], what: "transfer") {
            let quantity = quantity(t["quantity"], what: "transfer.quantity")
            let beyond = t["beyond_lot_window"].map { bool($0, what: "transfer.beyond_lot_window") } ?? false
            if let quantity, let beyond { action = .transfer(quantity: quantity.0, beyondLotWindow: beyond) }
        }
        if let cancelNode = f["cancel"] {
            if cancelNode.scalar?.string == "all" || (cancelNode.mapping?.count ?? -1) == 0 {
                action = .cancel(olderThan: nil)
            } else if let c = fields(cancelNode, allowed: ["older_than"], required: ["older_than"], what: "cancel") {
                if let older = duration(c["older_than"], what: "cancel.older_than", min: 10, max: 30 * 86_400) { action = .cancel(olderThan: older) }
            }
        }
        guard let name, let when, let action, let mark = node.mark else { return nil }
        return Strategy.Rule(name: name, when: when.0, whenText: when.1, action: action, position: SourcePosition(line: mark.line, column: mark.column))
    }
}

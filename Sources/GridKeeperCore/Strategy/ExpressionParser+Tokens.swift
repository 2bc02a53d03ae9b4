import Foundation

/// The tokenizer: strategy text to numbers, durations, words and symbols, each with its offset.
extension ExpressionParser {
    mutating func tokenize() throws(ExpressionError) {
        while index < text.count {
            let c = text[index]
            let start = index
            if c.isWhitespace {
                index += 1
            } else if c.isNumber || (c == "." && index + 1 < text.count && text[index + 1].isNumber) {
                while index < text.count, text[index].isNumber || text[index] == "." { index += 1 }
                let digits = String(text[start..<index])
                guard digits.filter({ $0 == "." }).count <= 1, !digits.hasSuffix("."),
                    let value = Decimal(string: digits, locale: Locale(identifier: "en_US_POSIX"))
                else { throw ExpressionError(offset: start, message: "'\(digits)' is not a number like 2.50") }
                guard digits.count <= Self.maximumDigits else {
                    throw ExpressionError(offset: start, message: "'\(digits.prefix(12))…' has \(digits.count) digits; a number has at most \(Self.maximumDigits)")
                }
                if index < text.count, text[index].isLetter {
                    let unitStart = index
                    while index < text.count, text[index].isLetter { index += 1 }
                    let unit = String(text[unitStart..<index])
                    let seconds: Decimal
                    switch unit {
                    case "s": seconds = 1
                    case "m": seconds = 60
                    case "h": seconds = 3600
                    case "d": seconds = 86_400
                    default:
                        throw ExpressionError(offset: unitStart, message: "unknown unit '\(unit)' after \(digits): durations use s, m, h or d (e.g. 30m)")
                    }
                    tokens.append((.duration(value * seconds), start))
                } else {
                    tokens.append((.number(value, digits), start))
                }
            } else if c.isLetter || c == "_" {
                while index < text.count, text[index].isLetter || text[index].isNumber || text[index] == "_" { index += 1 }
                tokens.append((.word(String(text[start..<index])), start))
            } else {
                let two = index + 1 < text.count ? String(text[index...index + 1]) : ""
                if ["<=", ">=", "==", "!=", "&&", "||"].contains(two) {
                    tokens.append((.symbol(two == "&&" ? "and" : two == "||" ? "or" : two), start))
                    index += 2
                } else if "+-*/()<>,".contains(c) {
                    tokens.append((.symbol(String(c)), start))
                    index += 1
                } else {
                    throw ExpressionError(offset: start, message: "unexpected character '\(c)'")
                }
            }
        }
        tokens.append((.end, text.count))
    }

    func describe(_ token: Token) -> String {
        switch token {
        case .number(_, let text): return "'\(text)'"
        case .duration: return "a duration"
        case .word(let w): return "'\(w)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "the end"
        }
    }

    var current: Token { tokens[position].0 }
    var offset: Int { tokens[position].1 }

    mutating func accept(_ symbol: String) -> Bool {
        if current == .symbol(symbol) || current == .word(symbol) {
            position += 1
            return true
        }
        return false
    }
}

import Foundation
import GridAPI
import Ledger

/// Why a cycle could not be completed.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case exchange(GridAPIError)
    case ledger(LedgerError)

    public var description: String {
        switch self {
        case .exchange(let e): return "exchange: \(e.description)"
        case .ledger(let e): return "ledger: \(e.description); trading stopped"
        }
    }
}

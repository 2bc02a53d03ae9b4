import Foundation
import Ledger

/// Why a cycle could not be completed.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    /// The ledger could not be read or written: trading stops.
    case ledger(LedgerError)

    public var description: String {
        switch self {
        case .ledger(let e): return "ledger: \(e.description); trading stopped"
        }
    }
}

import Foundation
import GridKeeperMacros

/// The body of both transfer endpoints: whole units of one instrument.
@MemberwiseInit @WireCodable
public struct TransferRequest: Codable, Sendable, Equatable {
    public var instrumentID: String
    public var quantity: Int
}

/// Direction of a unit transfer.
public enum TransferDirection: String, Sendable, CaseIterable {
    case tradingToConsumption = "trading-to-consumption"
    case consumptionToTrading = "consumption-to-trading"
}

/// The (unwrapped) reply of a transfer: `{"status":"success","transfer_id":"…"}`.
/// A `{"data": {…}}`-wrapped reply is accepted too.
@MemberwiseInit @WireCodable
public struct TransferResult: Codable, Sendable, Equatable {
    public var status: String = "success"
    public var transferID: String

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: WireCodingKey.self)
        if c.contains("data"), !c.contains("transfer_id") {
            self = try c.decode(TransferResult.self, forKey: "data")
            return
        }
        status = try c.decodeIfPresent(String.self, forKey: "status") ?? "success"
        transferID = try c.decode(String.self, forKey: "transfer_id")
    }
}

/// A row of `GET /v1/transfer-histories`.
@MemberwiseInit @WireCodable
public struct TransferHistory: Codable, Sendable, Equatable {
    public var id: String?
    public var transferID: String?
    public var accountID: String?
    public var senderAccountID: String?
    public var instrumentID: String
    @Units public var quantity: Decimal
    public var transferredAt: String?
}

import Foundation

/// The body of both transfer endpoints: whole units of one instrument.
public struct TransferRequest: Codable, Sendable, Equatable {
    public var instrumentID: String
    public var quantity: Int

    public init(instrumentID: String, quantity: Int) {
        self.instrumentID = instrumentID
        self.quantity = quantity
    }

    enum CodingKeys: String, CodingKey {
        case instrumentID = "instrument_id", quantity
    }
}

/// Direction of a unit transfer.
public enum TransferDirection: String, Sendable, CaseIterable {
    case tradingToConsumption = "trading-to-consumption"
    case consumptionToTrading = "consumption-to-trading"
}

/// The (unwrapped) reply of a transfer: `{"status":"success","transfer_id":"…"}`.
/// A `{"data": {…}}`-wrapped reply is accepted too.
public struct TransferResult: Codable, Sendable, Equatable {
    public var status: String
    public var transferID: String

    public init(status: String = "success", transferID: String) {
        self.status = status
        self.transferID = transferID
    }

    enum CodingKeys: String, CodingKey {
        case status, transferID = "transfer_id", data
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if c.contains(.data), !c.contains(.transferID) {
            self = try c.decode(TransferResult.self, forKey: .data)
            return
        }
        status = try c.decodeIfPresent(String.self, forKey: .status) ?? "success"
        transferID = try c.decode(String.self, forKey: .transferID)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(transferID, forKey: .transferID)
    }
}

/// A row of `GET /v1/transfer-histories`.
public struct TransferHistory: Codable, Sendable, Equatable {
    public var id: String?
    public var transferID: String?
    public var accountID: String?
    public var senderAccountID: String?
    public var instrumentID: String
    public var quantity: Decimal
    public var transferredAt: String?

    public init(id: String?, transferID: String?, accountID: String?, senderAccountID: String?, instrumentID: String,
                quantity: Decimal, transferredAt: String?) {
        self.id = id
        self.transferID = transferID
        self.accountID = accountID
        self.senderAccountID = senderAccountID
        self.instrumentID = instrumentID
        self.quantity = quantity
        self.transferredAt = transferredAt
    }

    enum CodingKeys: String, CodingKey {
        case id, transferID = "transfer_id", accountID = "account_id", senderAccountID = "sender_account_id"
        case instrumentID = "instrument_id", quantity, transferredAt = "transferred_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        transferID = try c.decodeIfPresent(String.self, forKey: .transferID)
        accountID = try c.decodeIfPresent(String.self, forKey: .accountID)
        senderAccountID = try c.decodeIfPresent(String.self, forKey: .senderAccountID)
        instrumentID = try c.decode(String.self, forKey: .instrumentID)
        quantity = try c.decodeDecimal(forKey: .quantity)
        transferredAt = try c.decodeIfPresent(String.self, forKey: .transferredAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(transferID, forKey: .transferID)
        try c.encodeIfPresent(accountID, forKey: .accountID)
        try c.encodeIfPresent(senderAccountID, forKey: .senderAccountID)
        try c.encode(instrumentID, forKey: .instrumentID)
        try c.encodeDecimalNumber(quantity, forKey: .quantity, in: encoder)
        try c.encodeIfPresent(transferredAt, forKey: .transferredAt)
    }
}

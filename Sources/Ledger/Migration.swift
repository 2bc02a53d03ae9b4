import Foundation
import GRDB
import GridKeeperMacros

/// One schema step from `migrations/NNNN_name.sql`, compiled into the binary.
@MemberwiseInit
public struct Migration: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var sql: String

    /// The migrations this build knows, in order.
    public static var bundled: [Migration] { EmbeddedMigrations.all }
}

/// Where one migration stands in a ledger.
public struct MigrationStatus: Sendable, Equatable, Codable {
    public var id: Int
    public var name: String
    public var appliedAt: Date?

    public var isApplied: Bool { appliedAt != nil }

    enum CodingKeys: String, CodingKey { case id, name, appliedAt = "applied_at" }
}

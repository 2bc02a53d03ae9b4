import Foundation
import GridKeeperCore
import Ledger

/// Copies a whole ledger into a new or empty one — the documented use is a SQLite file into a
/// PostgreSQL database — row by row with ids and values unchanged, in one transaction, then
/// reads both back and compares every row, the spend buckets the destination derived from the
/// fills, and spend to date at a few instants.
public enum LedgerCopy {
    /// Rows per read and per insert batch.
    static let pageSize = 5_000
    /// Progress is reported every this many rows.
    static let progressEvery = 100_000

    /// Opens both ledgers and copies `from` into `to`, then verifies the copy.
    /// - Parameters:
    ///   - from: an existing ledger (SQLite path or `postgres://` URL), opened read-only.
    ///   - to: a ledger location with nothing in it: a new file, an empty database, or a ledger
    ///     whose tables hold no rows. Anything else is refused before anything changes.
    ///   - now: one of the instants at which spend to date is compared.
    ///   - timeZone: the days and months spend is compared in (and UTC).
    ///   - progress: told how far the copy and the check are, every 100 000 rows.
    /// - Throws: `LedgerCopyError`; a failure while copying leaves the destination without rows.
    public static func copy(from: String, to: String, now: Date, timeZone: TimeZone,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            progress: (String) -> Void = { _ in }) throws(LedgerCopyError) -> LedgerCopySummary {
        if sameLocation(from, to) { throw .sameLedger(PostgresLocation.redact(to)) }
        let source = try openSource(from, environment: environment)
        let destination = try openDestination(to, environment: environment)
        return try copy(from: source, to: destination, now: now, timeZone: timeZone, progress: progress)
    }

    /// Copies `source` into the empty `destination` and verifies the copy.
    public static func copy(from source: any LedgerRowAccess, to destination: any LedgerRowAccess, now: Date, timeZone: TimeZone,
                            progress: (String) -> Void = { _ in }) throws(LedgerCopyError) -> LedgerCopySummary {
        let held = try counts(destination, role: "destination").filter { $0.value > 0 }
        guard held.isEmpty else {
            throw .destinationNotEmpty(path: destination.path, holds: held.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) rows)" })
        }
        let sourceCounts = try counts(source, role: "source")
        var copied = 0
        var sourceFailure: LedgerError?
        do {
            try destination.importRows { sink in
                for table in LedgerTable.copied {
                    do {
                        try source.forEachPage(of: table, pageSize: pageSize) { _, rows in
                            try sink.insert(rows, into: table)
                            let before = copied
                            copied += rows.count
                            if copied / progressEvery > before / progressEvery { progress("copied \(copied) rows (\(table.name))") }
                        }
                    } catch let error as LedgerError where !Self.isWrite(error) {
                        sourceFailure = error
                        throw error
                    }
                }
            }
        } catch {
            if let sourceFailure { throw .ledger("cannot copy from \(source.path): \(sourceFailure.description) (nothing was copied)") }
            let reason: String
            if case .write(let message) = error { reason = message } else { reason = error.description }
            throw .ledger("cannot copy into \(destination.path): \(reason) (nothing was copied)")
        }
        // Every fill updated a spend bucket: clean up and refresh the planner's statistics now
        // rather than leave the first days' spend reads to autovacuum's timing.
        if let postgres = destination as? PostgresLedger { try? postgres.vacuumAnalyze() }
        let check = try verify(source: source, destination: destination, now: now, timeZone: timeZone, progress: progress)
        let tables = LedgerTable.copied.map { LedgerCopySummary.Table(name: $0.name, rows: sourceCounts[$0.name] ?? 0) }
        return LedgerCopySummary(from: source.path, to: destination.path, tables: tables, copiedRows: copied,
                                 verifiedRows: check.rows, spendBuckets: check.buckets, spendInstantsCompared: check.instants)
    }

    // MARK: Verification

    /// What `verify` found equal.
    public struct Verification: Sendable, Equatable {
        /// Rows compared column by column in the copied tables.
        public var rows: Int
        /// Spend buckets summed per instrument (equal on both sides).
        public var buckets: [LedgerCopySummary.InstrumentSpend]
        /// Spend-to-date answers compared (instants × time zones × instruments).
        public var instants: Int
    }

    /// Reads both ledgers back in key order and compares every column of every copied table,
    /// the spend buckets per instrument, and `spend(asOf:timeZone:instrument:)` at `now`, the
    /// first and the last fill, in `timeZone` and UTC.
    /// - Throws: `LedgerCopyError.mismatch` naming the first differing table, key and column.
    public static func verify(source: any LedgerRowAccess, destination: any LedgerRowAccess, now: Date, timeZone: TimeZone,
                              progress: (String) -> Void = { _ in }) throws(LedgerCopyError) -> Verification {
        var verified = 0
        var fillTimes: (first: Int64, last: Int64)?
        for table in LedgerTable.copied {
            let sourcePartitions = try partitions(source, table, role: "source")
            let destinationPartitions = try partitions(destination, table, role: "destination")
            if sourcePartitions != destinationPartitions {
                let missing = sourcePartitions.filter { !destinationPartitions.contains($0) }.compactMap { $0 }
                let extra = destinationPartitions.filter { !sourcePartitions.contains($0) }.compactMap { $0 }
                throw .mismatch("\(table.name): \(table.partition ?? "") values differ; only in the source: \(missing), only in the destination: \(extra)")
            }
            for partition in sourcePartitions {
                var after: [Int64]?
                while true {
                    let left = try page(source, table, partition, after, role: "source")
                    let right = try page(destination, table, partition, after, role: "destination")
                    try compare(left, right, table: table, partition: partition)
                    if table.name == "fills" {
                        let at = table.columnNames.firstIndex(of: "executed_ms")!
                        for row in left { if let ms = row[at].integer { fillTimes = (min(fillTimes?.first ?? ms, ms), max(fillTimes?.last ?? ms, ms)) } }
                    }
                    let before = verified
                    verified += left.count
                    if verified / progressEvery > before / progressEvery { progress("verified \(verified) rows (\(table.name))") }
                    if left.count < pageSize { break }
                    after = table.keyIndices.map { left[left.count - 1][$0].integer ?? 0 }
                }
            }
        }
        let sourceBuckets = try bucketSums(source, role: "source")
        let destinationBuckets = try bucketSums(destination, role: "destination")
        if sourceBuckets != destinationBuckets {
            let first = Set(sourceBuckets.map(\.instrument)).union(destinationBuckets.map(\.instrument)).sorted().first { instrument in
                sourceBuckets.first { $0.instrument == instrument } != destinationBuckets.first { $0.instrument == instrument }
            } ?? ""
            func shown(_ sums: [LedgerCopySummary.InstrumentSpend]) -> String {
                sums.first { $0.instrument == first }.map { "\($0.cost) USD, \($0.units) units" } ?? "nothing"
            }
            throw .mismatch("spend_buckets for \(first): the source sums to \(shown(sourceBuckets)), the destination to \(shown(destinationBuckets))")
        }
        var instants = [now]
        if let fillTimes { instants += [Date(ledgerMilliseconds: fillTimes.first), Date(ledgerMilliseconds: fillTimes.last)] }
        let utc = TimeZone(identifier: "UTC") ?? timeZone
        let zones = timeZone == utc ? [timeZone] : [timeZone, utc]
        let instruments: [String?] = [nil] + sourceBuckets.map(\.instrument)
        var compared = 0
        for instant in instants {
            for zone in zones {
                for instrument in instruments {
                    let expected: Spend, got: Spend
                    do { expected = try source.spend(asOf: instant, timeZone: zone, instrument: instrument) } catch {
                        throw .ledger("reading \(source.path): \(error.description)")
                    }
                    do { got = try destination.spend(asOf: instant, timeZone: zone, instrument: instrument) } catch {
                        throw .ledger("reading \(destination.path): \(error.description)")
                    }
                    if expected != got {
                        throw .mismatch("spend to date at \(instant.formatted(.iso8601)) in \(zone.identifier)\(instrument.map { " for \($0)" } ?? ""): "
                            + "the source says today \(expected.today), month \(expected.month), reserved \(expected.reserved) USD; "
                            + "the destination today \(got.today), month \(got.month), reserved \(got.reserved) USD")
                    }
                    compared += 1
                }
            }
        }
        return Verification(rows: verified, buckets: sourceBuckets, instants: compared)
    }

    /// The first difference between two pages read with the same bounds.
    static func compare(_ left: [LedgerRow], _ right: [LedgerRow], table: LedgerTable, partition: String?) throws(LedgerCopyError) {
        func key(_ row: LedgerRow) -> String {
            let parts = (table.partition.map { ["\($0)=\(partition ?? "")"] } ?? []) + zip(table.key, table.keyIndices).map { "\($0.0)=\(row[$0.1])" }
            return parts.joined(separator: ", ")
        }
        for (a, b) in zip(left, right) {
            let keyA = table.keyIndices.map { a[$0] }, keyB = table.keyIndices.map { b[$0] }
            if keyA != keyB {
                throw .mismatch("\(table.name): the source's row \(key(a)) is missing from the destination, which has \(key(b)) in its place")
            }
            for (i, column) in table.columns.enumerated() where a[i] != b[i] {
                throw .mismatch("\(table.name) row \(key(a)), column \(column.name): the source has \(a[i]), the destination \(b[i])")
            }
        }
        if left.count > right.count {
            throw .mismatch("\(table.name): the source's row \(key(left[right.count])) is missing from the destination")
        }
        if right.count > left.count {
            throw .mismatch("\(table.name): the destination has row \(key(right[left.count])), which the source does not")
        }
    }

    // MARK: Opening

    static func openSource(_ location: String, environment: [String: String]) throws(LedgerCopyError) -> any LedgerRowAccess {
        let opened: any LedgerDatabase
        do { opened = try LedgerOpener.open(location, readOnly: true, create: false, environment: environment) } catch {
            throw .ledger("source: \(error.description)")
        }
        let migrations: [MigrationStatus]
        do { migrations = try opened.schemaStatus() } catch { throw .ledger("source: \(error.description)") }
        let pending = migrations.filter { !$0.isApplied }
        guard pending.isEmpty else { throw .sourceNotCurrent(path: opened.path, pending: pending.map(\.name)) }
        return try rowAccess(opened)
    }

    /// Looks at the destination read-only first, so that one holding anything is refused
    /// unchanged (not even migrated); only a missing or empty one is then opened for writing.
    static func openDestination(_ location: String, environment: [String: String]) throws(LedgerCopyError) -> any LedgerRowAccess {
        do {
            let existing = try rowAccess(try LedgerOpener.open(location, readOnly: true, create: false, environment: environment))
            let held = try counts(existing, role: "destination").filter { $0.value > 0 }
            guard held.isEmpty else {
                throw LedgerCopyError.destinationNotEmpty(path: existing.path, holds: held.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) rows)" })
            }
            (existing as? PostgresLedger)?.close()
        } catch let error as LedgerCopyError {
            throw error
        } catch LedgerError.notFound {
            // A new file or an empty database: created below.
        } catch let error as LedgerError {
            throw .ledger("destination: \(error.description)")
        } catch {
            throw .ledger("destination: \(error)")
        }
        let opened: any LedgerDatabase
        do { opened = try LedgerOpener.open(location, readOnly: false, create: true, environment: environment) } catch {
            throw .ledger("destination: \(error.description)")
        }
        return try rowAccess(opened)
    }

    static func rowAccess(_ ledger: any LedgerDatabase) throws(LedgerCopyError) -> any LedgerRowAccess {
        guard let access = ledger as? any LedgerRowAccess else { throw .ledger("\(ledger.path): this kind of ledger cannot be copied") }
        return access
    }

    static func sameLocation(_ a: String, _ b: String) -> Bool {
        if PostgresLocation.isPostgres(a) || PostgresLocation.isPostgres(b) {
            guard let x = try? PostgresLocation(url: a, environment: [:]), let y = try? PostgresLocation(url: b, environment: [:]) else { return false }
            return x.description == y.description
        }
        return URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath() == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath()
    }

    // MARK: Reads with the side named in errors

    static func isWrite(_ error: LedgerError) -> Bool {
        if case .write = error { return true }
        if case .fenced = error { return true }
        return false
    }

    static func counts(_ ledger: any LedgerRowAccess, role: String) throws(LedgerCopyError) -> [String: Int] {
        do { return try ledger.tableRowCounts() } catch { throw .ledger("\(role) \(ledger.path): \(error.description)") }
    }

    static func partitions(_ ledger: any LedgerRowAccess, _ table: LedgerTable, role: String) throws(LedgerCopyError) -> [String?] {
        do { return try ledger.partitions(of: table) } catch { throw .ledger("\(role) \(ledger.path), \(table.name): \(error.description)") }
    }

    static func page(_ ledger: any LedgerRowAccess, _ table: LedgerTable, _ partition: String?, _ after: [Int64]?, role: String)
        throws(LedgerCopyError) -> [LedgerRow] {
        do { return try ledger.rows(of: table, partition: partition, after: after, limit: pageSize) } catch {
            throw .ledger("\(role) \(ledger.path), \(table.name): \(error.description)")
        }
    }

    /// Spend buckets summed per instrument, sorted by instrument.
    static func bucketSums(_ ledger: any LedgerRowAccess, role: String) throws(LedgerCopyError) -> [LedgerCopySummary.InstrumentSpend] {
        let table = LedgerTable.spendBuckets
        let cost = table.columnNames.firstIndex(of: "cost_micros")!, units = table.columnNames.firstIndex(of: "units")!
        var sums: [String: (cost: Int64, units: Int64)] = [:]
        do {
            try ledger.forEachPage(of: table, pageSize: pageSize) { partition, rows in
                var sum = sums[partition ?? "", default: (0, 0)]
                for row in rows {
                    sum.cost += row[cost].integer ?? 0
                    sum.units += row[units].integer ?? 0
                }
                sums[partition ?? ""] = sum
            }
        } catch let error as LedgerError {
            throw .ledger("\(role) \(ledger.path), spend_buckets: \(error.description)")
        } catch {
            throw .ledger("\(role) \(ledger.path), spend_buckets: \(error)")
        }
        return sums.keys.sorted().map { LedgerCopySummary.InstrumentSpend(instrument: $0, cost: Micros.decimal(sums[$0]!.cost), units: Int(sums[$0]!.units)) }
    }
}

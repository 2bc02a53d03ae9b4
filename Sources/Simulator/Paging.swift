import Foundation
import GridAPI

/// Opaque cursor paging as the Trading API does it: `limit` ≤ 100, `next`/`prev` cursors.
struct PageRequest {
    var limit: Int
    var offset: Int

    static let maxLimit = 100

    init(query: [String: String]) throws(SimulatorError) {
        if query["next"] != nil && query["prev"] != nil {
            throw .badRequest("next and prev are mutually exclusive")
        }
        if let text = query["limit"] {
            guard let value = Int(text), (1...Self.maxLimit).contains(value) else {
                throw .invalid("limit must be an integer between 1 and \(Self.maxLimit)")
            }
            limit = value
        } else {
            limit = 50
        }
        if let cursor = query["next"] ?? query["prev"] {
            guard let offset = Self.decode(cursor) else { throw .badRequest("invalid or expired cursor") }
            self.offset = query["prev"] != nil ? max(0, offset - 2 * limit) : offset
        } else {
            offset = 0
        }
    }

    func page<T: Codable & Sendable>(_ items: [T]) -> ListEnvelope<T> {
        let start = min(offset, items.count)
        let end = min(start + limit, items.count)
        let more = end < items.count
        return ListEnvelope(
            data: Array(items[start..<end]),
            paging: Paging(hasMore: more, nextCursor: more ? Self.encode(end) : nil, prevCursor: start > 0 ? Self.encode(start) : nil)
        )
    }

    static func encode(_ offset: Int) -> String {
        Data(#"{"offset":\#(offset)}"#.utf8).base64EncodedString()
    }

    static func decode(_ cursor: String) -> Int? {
        guard let data = Data(base64Encoded: cursor.removingPercentEncoding ?? cursor),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let offset = object["offset"] as? Int, offset >= 0
        else { return nil }
        return offset
    }
}

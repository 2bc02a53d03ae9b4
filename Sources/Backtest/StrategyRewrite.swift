import Foundation
import GridKeeperCore
import Yams

/// Changes some keys of a strategy file's text and leaves every other byte alone: comments,
/// order, blank lines and quoting of the lines not changed stay as they were.
///
/// Keys are the dotted paths of `--sweep` (`budget.daily`, `rules.restock.when`). A value is
/// replaced where it stands; a key missing from a block mapping is added on a line of its
/// own after the mapping's first key. When that is not possible (a block or multi-line
/// scalar, a key to add to a flow mapping) the whole file is written from its parsed form,
/// which loses comments; `Result.keptFormat` says which happened. Either way the new text is
/// parsed again and must hold exactly the old tree with the new values.
public enum StrategyRewrite {
    public struct Result: Sendable, Equatable {
        public var text: String
        /// False when the file had to be re-serialized (comments and layout lost).
        public var keptFormat: Bool
        /// Why the file could not be edited in place, when it could not.
        public var reason: String?
    }

    /// The text with `assignments` applied.
    /// - Throws: `BacktestError` naming the key that does not exist, or the value the strategy
    ///   parser refuses.
    public static func apply(_ assignments: [(key: String, value: String)], to text: String, file: String) throws(BacktestError) -> Result {
        let root = try compose(text, file: file)
        var expected = root
        for (key, value) in assignments {
            let path = key.split(separator: ".").map(String.init)
            guard let updated = Sweep.set(expected, path: path[...], value: value, key: key) else {
                throw BacktestError("\(key): \(file) has no such key\(Sweep.hint(expected, path))")
            }
            expected = updated
        }
        var reason: String
        switch inPlace(assignments, text: text, root: root) {
        case .success(let edited):
            do throws(BacktestError) {
                let reread = try compose(edited, file: file)
                guard canonical(reread) == canonical(expected) else { throw BacktestError("the edited text reads back differently") }
                do { _ = try StrategyParser.parse(edited, file: file) } catch { throw BacktestError("the edited text does not parse: \(error.description)") }
                return Result(text: edited, keptFormat: true)
            } catch {
                reason = error.description
            }
        case .failure(let error):
            reason = error.description
        }
        let serialized: String
        do { serialized = try Yams.serialize(node: expected) } catch { throw BacktestError("\(file): \(error)") }
        do { _ = try StrategyParser.parse(serialized, file: file) } catch {
            throw BacktestError("\(assignments.map { "\($0.key)=\($0.value)" }.joined(separator: " ")): \(error.description)")
        }
        return Result(text: serialized, keptFormat: false, reason: reason)
    }

    /// The text of the scalar at a dotted `key`, nil when the key is missing.
    /// - Throws: `BacktestError` when the key names a mapping or list rather than one value, or
    ///   a path that cannot exist (under a missing mapping or rule).
    public static func value(at key: String, in text: String, file: String) throws(BacktestError) -> String? {
        let root = try compose(text, file: file)
        let path = key.split(separator: ".").map(String.init)
        switch locate(root, path[...]) {
        case .scalar(let scalar, _): return scalar.string
        case .missing: return nil
        case .notALeaf: throw BacktestError("--sweep \(key): \(file) holds more than one value there; sweep a single value such as budget.daily or rules.restock.when")
        case .none: throw BacktestError("--sweep \(key): \(file) has no such key\(Sweep.hint(root, path))")
        }
    }

    /// Writes `text` to `path` atomically (a temporary file in the same directory, flushed,
    /// then renamed over it), keeping the file's permissions. A symbolic link is followed and
    /// its target replaced.
    /// - Parameter original: the bytes the new text was made from; if the file no longer holds
    ///   them (someone edited it meanwhile), nothing is written.
    /// - Throws: `BacktestError` saying what failed; the file is then as it was.
    public static func write(_ text: String, to path: String, replacing original: Data) throws(BacktestError) {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let now = FileManager.default.contents(atPath: target) else { throw BacktestError("cannot read \(path) again before writing it") }
        guard now == original else { throw BacktestError("\(path) changed while tune ran; nothing written: run tune again") }
        let directory = (target as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(".\((target as NSString).lastPathComponent).tune-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        let attributes = (try? FileManager.default.attributesOfItem(atPath: target)) ?? [:]
        let permissions = attributes[.posixPermissions] as? NSNumber
        // A file no one may write is not rewritten behind its owner's back (root can rename over it).
        if let permissions, permissions.intValue & 0o222 == 0 {
            throw BacktestError("\(path) is read-only; make it writable to let tune change it. It is unchanged")
        }
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: permissions.map { [.posixPermissions: $0] }) else {
            throw BacktestError("cannot write \(temporary) beside \(path) (is the directory writable?); \(path) is unchanged")
        }
        // The new file keeps the old one's owner and group (when run as root, it would be root's).
        if let owner = attributes[.ownerAccountID] as? NSNumber, let group = attributes[.groupOwnerAccountID] as? NSNumber,
           owner.uint32Value != getuid() || group.uint32Value != getgid() {
            _ = chown(temporary, owner.uint32Value, group.uint32Value)
        }
        do {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw BacktestError("cannot flush \(temporary): \(error.localizedDescription); \(path) is unchanged")
        }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw BacktestError("cannot replace \(path): \(reason); it is unchanged")
        }
    }

    // MARK: Locating keys

    enum Location {
        /// The value, and whether it sits in a flow collection (`{ … }`, `[ … ]`).
        case scalar(Node.Scalar, flow: Bool)
        /// The key is missing from this mapping.
        case missing(Node.Mapping, leaf: String)
        /// The key holds a mapping or a list.
        case notALeaf
    }

    static func locate(_ node: Node, _ path: ArraySlice<String>, flow: Bool = false) -> Location? {
        guard let head = path.first else {
            if case .scalar(let scalar) = node { return .scalar(scalar, flow: flow) }
            return .notALeaf
        }
        switch node {
        case .mapping(let mapping):
            let flow = flow || mapping.style == .flow
            if let child = mapping[head] { return locate(child, path.dropFirst(), flow: flow) }
            return path.count == 1 && head != "rules" ? .missing(mapping, leaf: head) : nil
        case .sequence(let sequence):
            guard let item = sequence.first(where: { $0.mapping?["name"]?.string == head }) else { return nil }
            return locate(item, path.dropFirst(), flow: flow || sequence.style == .flow)
        default:
            return nil
        }
    }

    static func compose(_ text: String, file: String) throws(BacktestError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw BacktestError("\(file) is empty") }
            return node
        } catch let error as BacktestError {
            throw error
        } catch {
            throw BacktestError("\(file): \(error)")
        }
    }

    /// The tree as text, ignoring styles, marks, tags and the order of mapping keys.
    static func canonical(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return String(reflecting: s.string)
        case .mapping(let m): return "{" + m.map { canonical($0.key) + ":" + canonical($0.value) }.sorted().joined(separator: ",") + "}"
        case .sequence(let s): return "[" + s.map(canonical).joined(separator: ",") + "]"
        case .alias: return "*"
        }
    }

    // MARK: Editing in place

    /// The text with each value replaced where it stands, or why one cannot be.
    static func inPlace(_ assignments: [(key: String, value: String)], text: String, root: Node) -> Swift.Result<String, BacktestError> {
        let scalars = Array(text.unicodeScalars)
        // Offsets (in Unicode scalars, as libyaml counts columns) where each line starts.
        var lineStarts = [0]
        var i = 0
        while i < scalars.count {
            if scalars[i] == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
            if scalars[i] == "\n" || scalars[i] == "\r" { lineStarts.append(i + 1) }
            i += 1
        }
        func offset(_ mark: Mark?) -> Int? {
            guard let mark, mark.line >= 1, mark.line <= lineStarts.count else { return nil }
            let o = lineStarts[mark.line - 1] + mark.column - 1
            return o <= scalars.count ? o : nil
        }
        func lineEnd(_ line: Int) -> Int {
            var e = lineStarts[line - 1]
            while e < scalars.count, scalars[e] != "\n", scalars[e] != "\r" { e += 1 }
            return e
        }
        var edits: [(range: Range<Int>, replacement: String)] = []
        var seen = Set<String>()
        for (key, value) in assignments.reversed() where seen.insert(key).inserted {  // the last assignment of a key wins
            let path = key.split(separator: ".").map(String.init)
            switch locate(root, path[...]) {
            case .scalar(let scalar, let flow):
                guard let start = offset(scalar.mark), let end = extent(of: scalar, at: start, in: scalars), let mark = scalar.mark else {
                    return .failure(BacktestError("\(key) is not a one-line value at \(scalar.mark?.description ?? "?")"))
                }
                let inFlow = flow || insideFlow(scalars[lineStarts[mark.line - 1]..<start])
                guard let formatted = format(value, style: scalar.style, flow: inFlow) else { return .failure(BacktestError("\(key): the value holds control characters")) }
                edits.append((start..<end, formatted))
            case .missing(let mapping, let leaf):
                // A new line after the mapping's first key, when that key and its value share a line.
                guard mapping.style != .flow, let first = mapping.first, case .scalar(let firstValue) = first.value,
                      let keyMark = first.key.mark, let valueMark = firstValue.mark, keyMark.line == valueMark.line,
                      let keyStart = offset(keyMark), !insideFlow(scalars[lineStarts[keyMark.line - 1]..<keyStart]),
                      let formatted = format(value, style: .plain, flow: false) else {
                    return .failure(BacktestError("\(key) is missing and its mapping has no one-line first key to add it after"))
                }
                let end = lineEnd(keyMark.line)
                let newline = text.contains("\r\n") ? "\r\n" : "\n"
                edits.append((end..<end, newline + String(repeating: " ", count: keyMark.column - 1) + leaf + ": " + formatted))
            case .notALeaf, .none:
                return .failure(BacktestError("\(key) does not name one value"))
            }
        }
        edits.sort { $0.range.lowerBound > $1.range.lowerBound }
        for (a, b) in zip(edits, edits.dropFirst()) where b.range.upperBound > a.range.lowerBound { return .failure(BacktestError("two keys overlap")) }
        var out = scalars
        for edit in edits { out.replaceSubrange(edit.range, with: Array(edit.replacement.unicodeScalars)) }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: out)
        return .success(String(result))
    }

    /// Whether the text before a value on its line leaves a `{` or `[` open (Yams does not
    /// always report a collection's flow style).
    static func insideFlow(_ before: ArraySlice<Unicode.Scalar>) -> Bool {
        var depth = 0
        var quote: Unicode.Scalar?
        for c in before {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "{" || c == "[" {
                depth += 1
            } else if c == "}" || c == "]" {
                depth = max(0, depth - 1)
            }
        }
        return depth > 0
    }

    /// Where the source text of a single-line scalar starting at `start` ends.
    static func extent(of scalar: Node.Scalar, at start: Int, in text: [Unicode.Scalar]) -> Int? {
        guard start < text.count else { return nil }
        switch scalar.style {
        case .plain:
            let literal = Array(scalar.string.unicodeScalars)
            guard !literal.isEmpty, start + literal.count <= text.count, Array(text[start..<(start + literal.count)]) == literal else { return nil }
            return start + literal.count
        case .doubleQuoted:
            guard text[start] == "\"" else { return nil }
            var i = start + 1
            while i < text.count, text[i] != "\n", text[i] != "\r" {
                if text[i] == "\\" { i += 2; continue }
                if text[i] == "\"" { return i + 1 }
                i += 1
            }
            return nil
        case .singleQuoted:
            guard text[start] == "'" else { return nil }
            var i = start + 1
            while i < text.count, text[i] != "\n", text[i] != "\r" {
                if text[i] == "'" {
                    if i + 1 < text.count, text[i + 1] == "'" { i += 2; continue }
                    return i + 1
                }
                i += 1
            }
            return nil
        default:
            return nil  // block scalars (| and >) span lines
        }
    }

    /// `value` as YAML source in the style of the value it replaces: quoted stays quoted, plain
    /// stays plain when the value can be written so, otherwise double quotes.
    static func format(_ value: String, style: Node.Scalar.Style, flow: Bool) -> String? {
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else { return nil }
        switch style {
        case .singleQuoted:
            return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        case .plain where isPlainSafe(value, flow: flow):
            return value
        default:
            return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }

    /// Whether `value` reads back as the same string when written as a plain scalar.
    static func isPlainSafe(_ value: String, flow: Bool) -> Bool {
        guard let first = value.first, let last = value.last, first != " ", last != " ", !value.contains("\t") else { return false }
        if "#,[]{}&*!|>'\"%@`".contains(first) { return false }
        if "-?:".contains(first), value.count == 1 || value.dropFirst().first == " " { return false }
        if value.contains(": ") || value.contains(" #") || last == ":" { return false }
        if flow, value.contains(where: { ",[]{}".contains($0) }) { return false }
        return true
    }
}

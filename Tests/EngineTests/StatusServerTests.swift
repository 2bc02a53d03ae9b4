@testable import Daemon
import Foundation
import Testing
import TestSupport

@testable import Engine

/// Who may read the daemon's status endpoint.
@Suite struct StatusServerTests {
    @Test(arguments: [("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true), ("[::1]", true),
                      ("0.0.0.0", false), ("::", false), ("192.168.1.5", false), ("example.com", false), ("127.0.0", false), ("127.0.0.1.evil", false)])
    func onlyLoopbackCountsAsLocal(_ host: String, _ loopback: Bool) {
        #expect(StatusServer.isLoopback(host) == loopback, "\(host)")
    }

    @Test func theTokenIsComparedWholeAndNeverShown() throws {
        let token = try #require(StatusToken("  correct-horse-battery-staple\n"))
        #expect(token.accepts(authorization: "Bearer correct-horse-battery-staple"))
        #expect(token.accepts(authorization: "bearer correct-horse-battery-staple"))
        for wrong in [nil, "", "Bearer", "Bearer ", "Basic correct-horse-battery-staple", "Bearer correct-horse-battery-stapl",
                      "Bearer correct-horse-battery-staplex", "Bearer CORRECT-HORSE-BATTERY-STAPLE", "correct-horse-battery-staple"] {
            #expect(!token.accepts(authorization: wrong), "\(wrong ?? "nil")")
        }
        #expect("\(token)" == "StatusToken(redacted)")
        #expect(StatusToken("short") == nil && StatusToken("has a space inside it") == nil)
        #expect(StatusToken.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)) && !StatusToken.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!StatusToken.constantTimeEqual(Array("abc".utf8), []))
    }

    @Test func aPortInUseIsNamedBeforeAnythingStarts() throws {
        // Bind one, then check it: the message names the address.
        let (fd, port) = try LoopbackPort.listening()
        defer { close(fd) }
        #expect(throws: StatusServerError(host: "127.0.0.1", port: port, problem: .inUse)) {
            try StatusServer.checkAvailable(host: "127.0.0.1", port: port)
        }
        #expect(StatusServerError(host: "127.0.0.1", port: 9469, problem: .inUse).description.hasPrefix("status port 127.0.0.1:9469 is in use"))
        try StatusServer.checkAvailable(host: "127.0.0.1", port: 0)
        #expect(throws: StatusServerError.self) { try StatusServer.checkAvailable(host: "no-such-host.invalid", port: 9) }
    }
}

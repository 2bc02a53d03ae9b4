import Foundation
import Testing

@testable import GridAPI

/// The worked examples of the Trading API reference (§2.5), RFC 8032 test vector 1 key.
@Suite struct SigningTests {
    static let seedBase64 = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
    static let secret64Base64 = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg=="
    static let publicKeyHex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let fingerprint = "If4x36FUomFia/hUBG/SJxt77UtqvkWqWId+9H+XIbk"
    static let orderBody =
        #"{"market_id":"market-788dcbd5-ac68-4c61-acf1-4443beaf2a1c","side":"buy","type":"limit","quantity":"1","price":"2.50","time_in_force":"gtc","client_order_id":"topup-1706500000"}"#

    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let method: String
        let path: String
        let body: String
        let signature: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "a GET with query", method: "GET", path: "/v1/orders?status=active&limit=50", body: "",
               signature: "XOMJi6mIYnByYHgMIYtnpGSRVZk14hWnly10U848mZrlI9l0FeELZXjuit6A1mJefZUKnd2cAcW43UeVdA1BDQ=="),
        Vector(name: "b POST order", method: "POST", path: "/v1/orders", body: orderBody,
               signature: "yvFbYg9hUTJEerARnk3+LxUGmfCOHirgTEoTRCZx96V9rBVtSr3TaB3pW4DlC6WST2ap4+IYa7Ib+IUBlS+XBA=="),
        Vector(name: "c GET consumption accounts", method: "GET", path: "/v1/consumption-accounts", body: "",
               signature: "GwQHJhP7BuRrCN3qwxFQwPZtW4GVNprSLnxaTxcvoNuyeIQCHGuisnDss4zF8PcP8+I3V0uuGPKsOUNxJRl1Cg=="),
        Vector(name: "d DELETE order", method: "DELETE", path: "/v1/orders/order-123", body: "",
               signature: "6pdijP+F2D87OdmeWX2MJgos6WaO4aAB5LUOCdWSbcpnmaoXLkX83EMrKxZ5QkCpWWVzG0xCT25AxZJBVnGACA=="),
        Vector(name: "e POST on the G1 path", method: "POST", path: "/api/v1/trading/orders", body: orderBody,
               signature: "uGg0OAI+LpOEX388FS3DjTmTdcZiLuiCYSXpIFvbXzYs70CDPhPJ0oOCZDeF080kDVc757U4sxXBzLY5xlJjDw=="),
    ]

    @Test func seedDerivesTheReferencePublicKeyAndFingerprint() throws {
        let key = try SigningKey(base64: Self.seedBase64)
        #expect(key.publicKey.map { String(format: "%02x", $0) }.joined() == Self.publicKeyHex)
        #expect(key.fingerprint == Self.fingerprint)
        #expect(key.publicKeyBase64 == "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
    }

    @Test(arguments: vectors)
    func signatureMatchesReferenceByteForByte(_ vector: Vector) throws {
        let signer = RequestSigner(key: try SigningKey(base64: Self.seedBase64))
        let signature = signer.signature(timestamp: "1706500000", method: vector.method, path: vector.path, body: Array(vector.body.utf8))
        #expect(signature == vector.signature)
        #expect(signature.count == 88)
    }

    @Test(arguments: vectors)
    func sixtyFourByteSecretKeySignsIdentically(_ vector: Vector) throws {
        let signer = RequestSigner(key: try SigningKey(base64: Self.secret64Base64))
        #expect(signer.signature(timestamp: "1706500000", method: vector.method, path: vector.path, body: Array(vector.body.utf8)) == vector.signature)
    }

    @Test func messageIsTimestampMethodPathWithoutQueryAndBody() {
        let message = RequestSigner.message(timestamp: "1706500000", method: "get", path: "/v1/orders?status=active&limit=50", body: [])
        #expect(message.map { String(format: "%02x", $0) }.joined() == "313730363530303030304745542f76312f6f7264657273")
        #expect(RequestSigner.message(timestamp: "1706500000", method: "POST", path: "/v1/orders", body: Array(Self.orderBody.utf8)).count == 200)
    }

    @Test(arguments: [
        ("  nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n", "surrounding whitespace"),
        ("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", "URL-safe alphabet, no padding"),
        ("nWGxne/9WmC6hEr0kuwsxERJxWl7\nMmkZcDusAxyuf2A=", "line break inside"),
    ])
    func keyIsDecodedLeniently(_ text: String, _ label: String) throws {
        let key = try SigningKey(base64: text)
        #expect(key.fingerprint == Self.fingerprint, "\(label)")
    }

    @Test func badKeysAreRejectedWithoutEchoingTheKey() {
        let notBase64 = "this is *not* base64 at all!"
        #expect(throws: KeyError.notBase64) { try SigningKey(base64: notBase64) }
        #expect(throws: KeyError.wrongLength(16)) { try SigningKey(base64: Data(repeating: 7, count: 16).base64EncodedString()) }
        var tampered = Array(Data(base64Encoded: Self.secret64Base64)!)
        tampered[40] ^= 0xff
        #expect(throws: KeyError.mismatchedPublicKey) { try SigningKey(base64: Data(tampered).base64EncodedString()) }
        for error in [KeyError.notBase64, .wrongLength(16), .mismatchedPublicKey, .missing] {
            #expect(!error.description.contains(Self.seedBase64.prefix(12)))
        }
        let key = try? SigningKey(base64: Self.seedBase64)
        #expect(key.map { "\($0)" }?.contains("nWGx") == false)
    }

    @Test func generatedKeysRoundTripThroughTheirSeed() throws {
        let key = SigningKey.generate()
        let again = try SigningKey(base64: key.exportSeedBase64())
        #expect(again.publicKey == key.publicKey)
        #expect(SigningKey.generate().publicKey != key.publicKey)
    }

    @Test func verifierAcceptsTheSignerAndRejectsTampering() throws {
        let key = try SigningKey(base64: Self.seedBase64)
        let signer = RequestSigner(key: key)
        let verifier = SignatureVerifier(publicKeys: [key.publicKey])
        let body = Array(Self.orderBody.utf8)
        let headers = Dictionary(uniqueKeysWithValues: signer.headers(method: "POST", path: "/v1/orders", body: body, unixSeconds: 1_706_500_000).map { ($0.name, $0.value) })
        func verify(path: String = "/v1/orders", body: [UInt8] = body, now: Int64 = 1_706_500_000, headers h: [String: String] = headers) throws(SignatureVerifier.Failure) -> String {
            try verifier.verify(method: "POST", path: path, body: body, nowSeconds: now, header: { h[$0] })
        }
        #expect(try verify() == Self.fingerprint)
        #expect(try verify(path: "/v1/orders?x=1") == Self.fingerprint, "the query is not signed")
        #expect(try verify(now: 1_706_500_030) == Self.fingerprint, "30 s is inside the window")
        #expect(throws: SignatureVerifier.Failure.staleTimestamp(skewSeconds: -31)) { try verify(now: 1_706_500_031) }
        #expect(throws: SignatureVerifier.Failure.badSignature) { try verify(path: "/v1/orders/x") }
        let reserialised = Array(#"{"market_id": "market-788dcbd5-ac68-4c61-acf1-4443beaf2a1c"}"#.utf8)
        #expect(throws: SignatureVerifier.Failure.badSignature) { try verify(body: reserialised) }
        var padded = headers
        padded[RequestSigner.fingerprintHeader] = Self.fingerprint + "="
        #expect(throws: SignatureVerifier.Failure.unknownFingerprint) { try verify(headers: padded) }
        var missing = headers
        missing[RequestSigner.signatureHeader] = nil
        #expect(throws: SignatureVerifier.Failure.missingHeader(RequestSigner.signatureHeader)) { try verify(headers: missing) }
    }

    @Test func signingTheQueryIsRejected() throws {
        let key = try SigningKey(base64: Self.seedBase64)
        let verifier = SignatureVerifier(publicKeys: [key.publicKey])
        // A client that wrongly signs the query string.
        let wrong = LenientBase64.encode(key.sign(Array("1706500000GET/v1/orders?limit=5".utf8)))
        let headers = [RequestSigner.signatureHeader: wrong, RequestSigner.timestampHeader: "1706500000", RequestSigner.fingerprintHeader: key.fingerprint]
        #expect(throws: SignatureVerifier.Failure.badSignature) {
            try verifier.verify(method: "GET", path: "/v1/orders?limit=5", body: [], nowSeconds: 1_706_500_000, header: { headers[$0] })
        }
    }
}

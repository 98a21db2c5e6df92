import Foundation
import ProcessTestSupport
import MotoTestSupport
import SecretProviders
import Testing

@testable import AWSProvider

/// Our signer against botocore's `SigV4Auth` (the AWS SDK for Python) as an oracle, over
/// generated requests: methods, paths with dot segments, repeated slashes, spaces, `%`,
/// UTF-8; query pairs needing encoding and sorting; repeated and oddly spaced headers;
/// bodies; session tokens; regions, services and dates.
struct SigV4BotocoreTests {
    static let oracle = """
        import sys, json, datetime
        from unittest import mock
        import botocore.auth as auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        out = []
        for case in json.load(sys.stdin):
            request = AWSRequest(method=case["method"], url="https://" + case["host"] + case["path"],
                                 data=bytes.fromhex(case["body"]), params=[(k, v) for k, v in case["query"]])
            for name, value in case["headers"]:
                request.headers[name] = value
            when = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc).replace(tzinfo=None)
            with mock.patch.object(auth, "get_current_datetime", return_value=when):
                credentials = Credentials(case["accessKey"], case["secretKey"], case["token"])
                auth.SigV4Auth(credentials, case["service"], case["region"]).add_auth(request)
            out.append(request.headers["Authorization"])
        json.dump(out, sys.stdout)
        """

    struct Case {
        var method: String
        var host: String
        var path: String
        var query: [(name: String, value: String)]
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var time: Int
        var accessKey: String
        var secretKey: String
        var token: String?
        var region: String
        var service: String

        var json: [String: Any] {
            [
                "method": method, "host": host, "path": path, "query": query.map { [$0.name, $0.value] },
                "headers": [["Host", host]] + headers.map { [$0.name, $0.value] }, "body": SigV4Signer.hex(body), "time": time,
                "accessKey": accessKey, "secretKey": secretKey, "token": token as Any, "region": region, "service": service,
            ]
        }
    }

    /// SplitMix64: the same requests on every run.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
        mutating func string(from alphabet: [String], length: ClosedRange<Int>) -> String {
            (0..<int(length)).map { _ in pick(alphabet) }.joined()
        }
    }

    static let plain = (Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789").map(String.init))
    static let pathAlphabet = plain + ["-", "_", ".", "~", " ", "%", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@", "é", "ሴ", "😀", "\""]
    static let queryAlphabet = pathAlphabet + ["/", "?", "#", "[", "]", "{", "}", "|", "\\", "^", "`", "<", ">"]
    static let headerAlphabet = plain + [" ", " ", "  ", "-", "_", ".", ",", ";", ":", "=", "/", "\"", "(", ")", "*", "+", "?", "!", "'"]

    static func generate(count: Int, seed: UInt64) -> [Case] {
        var random = Generator(state: seed)
        return (0..<count).map { _ in
            var segments: [String] = []
            for _ in 0..<random.int(0...4) {
                switch random.int(0...9) {
                case 0: segments.append(".")
                case 1: segments.append("..")
                case 2: segments.append("")
                default: segments.append(random.string(from: pathAlphabet, length: 1...8))
                }
            }
            var path = "/" + segments.joined(separator: "/")
            if random.int(0...3) == 0 { path += "/" }
            let query = (0..<random.int(0...4)).map { _ in
                (random.string(from: queryAlphabet, length: 1...6), random.string(from: queryAlphabet, length: 0...8))
            }
            var headers: [(name: String, value: String)] = []
            for _ in 0..<random.int(0...4) {
                let name = random.pick(["X-Rotor-", "x-amz-meta-", "My-Header", "Content-Type", "X-Amz-Target"])
                    + (random.int(0...2) == 0 ? "" : random.string(from: Array("abcXYZ12".map(String.init)), length: 1...3))
                headers.append((name, random.string(from: headerAlphabet, length: 0...16)))
                if random.int(0...5) == 0 { headers.append((name.uppercased(), random.string(from: headerAlphabet, length: 1...8))) }
            }
            let body = (0..<random.pick([0, 0, 1, 13, 64, 200])).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return Case(
                method: random.pick(["GET", "POST", "PUT", "DELETE", "PATCH"]),
                host: random.pick(["example.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com", "127.0.0.1:4566", "sts.amazonaws.com"]),
                path: path, query: query, headers: headers, body: body,
                time: random.int(946_684_800...1_893_456_000),
                accessKey: "AKID" + random.string(from: plain, length: 12...16),
                secretKey: random.string(from: plain + ["/", "+"], length: 30...40),
                token: random.int(0...2) == 0 ? random.string(from: plain + ["/", "+", "="], length: 20...80) : nil,
                region: random.pick(["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"]),
                service: random.pick(["secretsmanager", "sts", "service", "iam"]))
        }
    }

    @Test("our SigV4 signature equals botocore's on 1,200 generated requests")
    func matchesBotocore() async throws {
        try await MotoServer.requireInstalled()
        let cases = Self.generate(count: 1_200, seed: 0x5EED_0004)
        let input = try JSONSerialization.data(withJSONObject: cases.map(\.json))
        let output = await try Subprocess.spawn("python3", ["-c", Self.oracle]).collect(input: input)
        let stderrTail = String(decoding: output.stderr.suffix(1500), as: UTF8.self)
        #expect(output.termination.status == 0, "botocore oracle failed: \(stderrTail)")
        let expected = (try? JSONSerialization.jsonObject(with: output.stdout)) as? [String] ?? []
        #expect(expected.count == cases.count)
        var mismatches: [String] = []
        for (index, item) in cases.enumerated() where index < expected.count {
            let credentials = AWSCredentials(accessKeyID: item.accessKey, secretAccessKey: item.secretKey, sessionToken: item.token)
            let request = SigV4Request(
                method: item.method, path: item.path, query: item.query, headers: [("Host", item.host)] + item.headers, body: item.body)
            let signed = SigV4Signer(region: item.region, service: item.service)
                .sign(request, credentials: credentials, date: Date(timeIntervalSince1970: TimeInterval(item.time)))
            let ours = signed.first { $0.name == "Authorization" }?.value ?? ""
            if ours != expected[index] {
                // Test credentials are generated, not real; the canonical request explains the difference.
                let canonical = SigV4Signer.canonicalRequest(SigV4Request(
                    method: item.method, path: item.path, query: item.query, headers: signed.filter { $0.name != "Authorization" }, body: item.body)).canonical
                mismatches.append("case \(index): \(item.method) \(item.path) query \(item.query) headers \(item.headers)\n  canonical:\n\(canonical)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ; first: \(mismatches.first ?? "")")
    }
}

import Crypto
import Foundation
import KubeAPI
import RotorAPI
import SecretProviders

/// Generates the values a scheduled rotation writes (`spec.rotation.generate`).
///
/// Characters are drawn uniformly (`Int.random(in:using:)` rejects biased draws) from
/// lower-case letters, upper-case letters unless `noUpper`, digits, and `symbolCharacters`
/// when `symbols`; the value holds at least one of each class in use and at least `digits`
/// digits, then is shuffled. The randomness comes from the generator passed in: the
/// operator uses ``RotationRandomStream``, a keyed CSPRNG stream; anything else is for tests.
public enum SecretGenerator {
    public static let defaultLength = 32
    public static let lengthRange = 8...4096
    public static let defaultSymbols = "~!@#$%^&*()_+-={}|[]:<>?,./"
    static let lower = Array("abcdefghijklmnopqrstuvwxyz")
    static let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let digitCharacters = Array("0123456789")

    /// `InvalidSpec` for a generator that cannot be satisfied (bad length, more required
    /// characters than the length, no property, an empty symbol set).
    public static func validate(_ generators: [RotationGenerator]) -> SyncFailure? {
        var seen = Set<String>()
        for (index, generator) in generators.enumerated() {
            let field = "spec.rotation.generate[\(index)]"
            guard !generator.property.isEmpty else { return .invalidSpec(field: field + ".property", problem: "must name a property") }
            guard seen.insert(generator.property).inserted else {
                return .invalidSpec(field: field + ".property", problem: "\"\(generator.property)\" is generated twice")
            }
            let length = generator.length ?? defaultLength
            guard lengthRange.contains(length) else {
                return .invalidSpec(field: field + ".length", problem: "\(length) is outside \(lengthRange.lowerBound)-\(lengthRange.upperBound)")
            }
            if generator.symbols == true, (generator.symbolCharacters ?? defaultSymbols).isEmpty {
                return .invalidSpec(field: field + ".symbolCharacters", problem: "must not be empty when symbols is true")
            }
            // `digits` is bounded before any arithmetic on it: `digits: 9223372036854775807` must not overflow.
            let digits = generator.digits ?? 0
            guard digits >= 0, digits <= length else {
                return .invalidSpec(field: field + ".digits", problem: "\(digits) is outside 0-\(length) (the length)")
            }
            let required = max(digits, 1) + 1 + (generator.noUpper == true ? 0 : 1) + (generator.symbols == true ? 1 : 0)
            guard required <= length else {
                return .invalidSpec(field: field, problem: "length \(length) cannot hold the required characters")
            }
        }
        return nil
    }

    /// A value for `generator` (validate first).
    public static func generate(_ generator: RotationGenerator, using random: inout some RandomNumberGenerator) -> SecretValue {
        let length = min(max(generator.length ?? defaultLength, lengthRange.lowerBound), lengthRange.upperBound)
        var classes: [[Character]] = [lower]
        if generator.noUpper != true { classes.append(upper) }
        classes.append(digitCharacters)
        if generator.symbols == true {
            let symbols = Array(Set(generator.symbolCharacters ?? defaultSymbols)).sorted()
            if !symbols.isEmpty { classes.append(symbols) }
        }
        let pool = classes.flatMap { $0 }
        var characters: [Character] = []
        // At least one of each class, and `digits` digits.
        for characterClass in classes {
            let count = characterClass == digitCharacters ? max(generator.digits ?? 0, 1) : 1
            for _ in 0..<count { characters.append(characterClass[Int.random(in: 0..<characterClass.count, using: &random)]) }
        }
        while characters.count < length {
            characters.append(pool[Int.random(in: 0..<pool.count, using: &random)])
        }
        characters = Array(characters.prefix(length))
        characters.shuffle(using: &random)
        return SecretValue(utf8: String(characters))
    }
}

/// A cryptographically secure, reproducible random stream: HMAC-SHA256 in counter mode
/// under a key derived (HKDF-SHA256) from the per-install key, over a rotation's `pendingID`
/// and the property name.
///
/// Why reproducible: a scheduled rotation must write the *same* value if the operator
/// crashes and retries the provider write (an AWS `ClientRequestToken` replay must carry
/// identical content; a Vault retry must see its own write), yet the value may never be
/// stored in status. The stream is unpredictable without the per-install key (32 random
/// bytes in a Secret only the operator reads), and `pendingID` is a fresh random UUID per
/// rotation, so each rotation's values are independent.
public struct RotationRandomStream: RandomNumberGenerator {
    private let key: SymmetricKey
    private let label: [UInt8]
    private var counter: UInt64 = 0
    private var buffer: [UInt8] = []

    /// - Parameters:
    ///   - installKey: the per-install key bytes (the fingerprint key).
    ///   - pendingID: the rotation's ID.
    ///   - property: the property generated.
    public init(installKey: [UInt8], pendingID: String, property: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: installKey), info: Array("rotor.dev/rotation-generate/v1".utf8), outputByteCount: 32)
        label = Array(pendingID.utf8) + [0] + Array(property.utf8) + [0]
    }

    public mutating func next() -> UInt64 {
        if buffer.count < 8 {
            var message = label
            withUnsafeBytes(of: counter.bigEndian) { message.append(contentsOf: $0) }
            counter += 1
            buffer.append(contentsOf: HMAC<SHA256>.authenticationCode(for: message, using: key))
        }
        let bytes = buffer.prefix(8)
        buffer.removeFirst(8)
        return bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

/// The idempotency key of one document at one destination (DESIGN §7): deterministic, and
/// distinct per destination, so one invoice line carries a different key to Stripe
/// (`Idempotency-Key`), to Lago (`transaction_id`) and to Odoo (its external id).
///
/// `odm_` and the SHA-256, in hex, of the length-prefixed destination name and document key
/// (a line key, itself a hash of account, meter, period, dimensions and version; or an
/// invoice key). 68 characters: within Stripe's 255 for idempotency keys and 100 for meter
/// event identifiers, also after a `:rN` suffix. Stateless.
public enum DeliveryKey {
    public static func derive(destination: String, documentKey: String) -> String {
        var bytes: [UInt8] = Array("odometer-delivery-v1".utf8)
        for field in [destination, documentKey] {
            let utf8 = Array(field.utf8)
            bytes.append(contentsOf: String(utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: utf8)
        }
        return "odm_" + StableHash.hex(StableHash.sha256(bytes))
    }

    /// `key` without its `:rN` suffix: what stays the same across re-keys (Stripe's meter event
    /// `identifier`, which must dedup the re-post of an event a stored 500 may have recorded).
    public static func base(of key: String) -> String {
        guard let colon = key.lastIndex(of: ":"), key[key.index(after: colon)...].hasPrefix("r"),
              Int(key[key.index(colon, offsetBy: 2)...]) != nil else { return key }
        return String(key[..<colon])
    }

    /// The key after `key` for a document whose key is spent (Stripe's replayed 500):
    /// `<key>:r1`, then `:r2`, …
    public static func successor(of key: String) -> String {
        let base = base(of: key)
        guard base != key, let round = Int(key.dropFirst(base.count + 2)) else { return "\(key):r1" }
        return "\(base):r\(round + 1)"
    }
}

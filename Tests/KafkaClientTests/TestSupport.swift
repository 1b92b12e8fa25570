import Foundation
import KafkaClient

/// Consumer settings for tests: short session timeout, librdkafka logging silenced.
func testConsumerConfiguration(_ cluster: KafkaMockCluster, group: String,
                               strategy: KafkaConsumerConfiguration.AssignmentStrategy = .range,
                               batchSize: Int = 10_000) -> KafkaConsumerConfiguration {
    KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group,
                               sessionTimeout: .seconds(6), assignmentStrategy: strategy,
                               batchSize: batchSize, pollTimeout: .milliseconds(50))
}

/// A deterministic ~120-byte event for message `index`: its key is `acct-<index % accounts>`
/// and its value names the index and the key, padded with a letter derived from the index.
struct SyntheticEvent {
    let index: Int
    let accounts: Int

    var key: String { "acct-\(index % accounts)" }

    var value: String {
        let head = "{\"id\":\"evt-\(index)\",\"subject\":\"\(key)\",\"pad\":\""
        let letter = Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(index % 26)))
        return head + String(repeating: letter, count: max(0, 118 - head.utf8.count)) + "\"}"
    }

    /// Parses a consumed value back; nil if it is not exactly what `value` produced.
    static func decode(value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer, accounts: Int) -> Int? {
        let text = String(decoding: value, as: UTF8.self)
        guard let start = text.range(of: "\"id\":\"evt-"),
              let end = text[start.upperBound...].firstIndex(of: "\""),
              let index = Int(text[start.upperBound..<end]) else { return nil }
        let expected = SyntheticEvent(index: index, accounts: accounts)
        guard text == expected.value, String(decoding: key, as: UTF8.self) == expected.key else { return nil }
        return index
    }
}

/// The path of `kcat` if it is installed.
let kcatPath: String? = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// Runs a child process and returns its exit status and standard output.
func runProcess(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

import KafkaClient
import Testing

@Suite("Kafka mock cluster")
struct MockClusterTests {
    @Test(.enabled(if: kcatPath != nil, "kcat is not installed"))
    func kcatInAnotherProcessListsTheTopic() throws {
        let cluster = try KafkaMockCluster(brokers: 3, logger: nil)
        defer { cluster.close() }
        try cluster.createTopic("usage", partitions: 8)

        let (status, output) = try runProcess(kcatPath!, ["-L", "-b", cluster.bootstrapServers, "-m", "10"])

        #expect(status == 0)
        #expect(output.contains("3 brokers:"))
        #expect(output.contains("topic \"usage\" with 8 partitions:"))
    }

    @Test func bootstrapServersAreLoopbackAddressesOfEveryBroker() throws {
        let cluster = try KafkaMockCluster(brokers: 2, logger: nil)
        defer { cluster.close() }

        let servers = cluster.bootstrapServers.split(separator: ",")

        #expect(servers.count == 2)
        #expect(servers.allSatisfy { $0.hasPrefix("127.0.0.1:") && Int($0.dropFirst(10)) != nil })
    }

    @Test func creatingAnExistingTopicFailsWithTheBrokerReason() throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }
        try cluster.createTopic("usage", partitions: 2)

        #expect(throws: KafkaError.mockClusterFailed(reason: "cannot create topic `usage`: Broker: Topic already exists")) {
            try cluster.createTopic("usage", partitions: 2)
        }
    }

    @Test func replicationBeyondTheBrokerCountIsRefused() throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        defer { cluster.close() }

        #expect(throws: KafkaError.mockClusterFailed(
            reason: "replication factor 3 of `usage` must be 1...1 (the broker count)")) {
            try cluster.createTopic("usage", partitions: 2, replicationFactor: 3)
        }
    }

    @Test func closingTwiceIsHarmlessAndAClosedClusterRefusesNewTopics() throws {
        let cluster = try KafkaMockCluster(brokers: 1, logger: nil)
        cluster.close()
        cluster.close()

        #expect(throws: KafkaError.mockClusterFailed(reason: "cannot create topic `usage`: the mock cluster is closed")) {
            try cluster.createTopic("usage", partitions: 1)
        }
    }
}

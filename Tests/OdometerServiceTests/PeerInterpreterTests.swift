@testable import OdometerBench
import Testing

/// Which Python runs the bench's peers: the one named, else the virtual environment
/// `deploy/setup-peers.sh` makes, else whatever `python3` the PATH gives.
@Suite struct PeerInterpreterTests {
    @Test func aNamedInterpreterWins() {
        let chosen = PeerBenchmarks.interpreter(environment: ["ODOMETER_PEERS_PYTHON": "/usr/local/bin/python3.12",
                                                              "ODOMETER_PEERS_VENV": "/srv/peers"],
                                                isExecutable: { _ in true })
        #expect(chosen == "/usr/local/bin/python3.12")
    }

    @Test func theSetUpScriptsVirtualEnvironmentWhenItExists() {
        #expect(PeerBenchmarks.interpreter(environment: [:], isExecutable: { $0 == "/opt/odometer-peers/bin/python3" })
                    == "/opt/odometer-peers/bin/python3")
        #expect(PeerBenchmarks.interpreter(environment: ["ODOMETER_PEERS_VENV": "/srv/peers"],
                                           isExecutable: { $0 == "/srv/peers/bin/python3" }) == "/srv/peers/bin/python3")
    }

    @Test func otherwiseThePathsPython() {
        #expect(PeerBenchmarks.interpreter(environment: [:], isExecutable: { _ in false }) == "python3")
        #expect(PeerBenchmarks.interpreter(environment: ["ODOMETER_PEERS_PYTHON": ""], isExecutable: { _ in false })
                    == "python3")
    }
}

import ScanBridgeTools
import Testing

/// The demo counts the reads its simulated reader sent once it has paused it, and waits for
/// the agent to have observed that many. A read taken after the pause would arrive after the
/// drain was declared done (CI saw "stored 250, acknowledged 249").
@Suite("A paused simulated reader")
struct ReaderSimulationPauseTests {
    @Test("takes no further read into its ledger once paused")
    func pauseFreezesTheLedger() {
        var options = ReaderSimulation.Options(mode: .chafonRealTime, population: .sgtin96(count: 20, seed: 3))
        options.reads = 100
        var simulation = ReaderSimulation(options: options)
        #expect(simulation.hasReadToSend)
        for _ in 0..<5 { _ = simulation.nextRead() }
        #expect(simulation.ledger.reads.count == 5)

        simulation.pause()

        #expect(!simulation.hasReadToSend)
        #expect(simulation.nextRead().isEmpty, "a read decided on before the pause writes nothing")
        #expect(simulation.ledger.reads.count == 5)
        #expect(simulation.sent == 5)
        #expect(!simulation.isFinished)
    }
}

import Logging
import ScanBridgeReading

extension RateWatch.Change {
    /// A flooding device is reported, not silenced: its payloads are still stored (or held).
    func report(deviceID: String, logger: Logger, states: DeviceStates?, counters: AgentCounters) {
        switch self {
        case .started(let bytes, let payloads):
            let problem =
                "babbling: \(bytes) bytes/s, \(payloads) payloads/s — a stuck trigger, a scanner in a loop or a wrong baud rate; check the device"
            logger.error("\(problem)")
            states?.flag(deviceID, problem: problem)
            counters.update {
                $0.babblingAlerts += 1
                $0.lastError = "\(deviceID) babbling"
            }
        case .ended:
            logger.notice("no longer babbling: the device's rate is back under the limits")
            states?.flag(deviceID, problem: nil)
        }
    }
}

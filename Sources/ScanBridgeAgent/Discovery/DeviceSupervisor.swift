import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
import ScanBridgeReading
import ScanBridgeStore
import Synchronization

/// Follows udev: starts a reader for every allowlisted scanner node present or plugged in,
/// stops it when the node goes, and keeps the list `scanbridge devices` and the status page show.
final class DeviceSupervisor: Sendable {
    private let matcher: DeviceMatcher
    private let configuration: AgentConfiguration
    private let sink: EventSink
    private let registry: DeviceRegistry
    private let catalog: ProfileCatalog
    private let book: ProfileBook?
    private let states: DeviceStates
    private let logger: Logger
    private let watcher = DeviceWatcher()
    private let running = Mutex<[String: DeviceRunner]>([:])
    private let discovered = Mutex<[String: DiscoveredDevice]>([:])
    /// Serial ports configured by path are read by their own runners, never twice.
    private let staticPaths: Set<String>

    init(
        configuration: AgentConfiguration, sink: EventSink, registry: DeviceRegistry, catalog: ProfileCatalog,
        states: DeviceStates, logger: Logger, book: ProfileBook? = nil
    ) {
        self.book = book
        self.configuration = configuration
        self.matcher = DeviceMatcher(rules: configuration.rules, catalog: catalog)
        self.sink = sink
        self.registry = registry
        self.catalog = catalog
        self.states = states
        self.logger = logger
        self.staticPaths = Set(configuration.devices.map(\.path))
    }

    /// Every node found so far, in syspath order.
    var devices: [DiscoveredDevice] {
        discovered.withLock { $0.values.sorted { $0.node.syspath < $1.node.syspath } }
    }

    /// Runs until ``stop()``; returns once every reader has ended.
    func run() async {
        watcher.start()
        await withTaskGroup(of: Void.self) { group in
            for await event in watcher.events {
                switch event {
                case .failed(let error):
                    logger.warning("\(error)")
                case .present(let nodes):
                    for node in nodes { consider(node, group: &group) }
                case .changed(let node):
                    switch node.action {
                    case .remove?, .unbind?:
                        remove(node)
                    case .add?, .change?, .bind?, .move?:
                        consider(node, group: &group)
                    default:
                        break
                    }
                }
            }
            for runner in running.withLock({ Array($0.values) }) { runner.stop(removed: false) }
            await group.waitForAll()
        }
    }

    func stop() {
        watcher.stop()
    }

    private func consider(_ node: UdevDevice, group: inout TaskGroup<Void>) {
        guard let found = matcher.classify(node) else { return }
        if case .serial = found.transport, let devnode = node.devnode, staticPaths.contains(devnode) { return }
        let isNew = discovered.withLock { known in
            let isNew = known[node.syspath] == nil
            known[node.syspath] = found
            return isNew
        }
        if case .ignored(let reason) = found.decision {
            if isNew {
                logger.info(
                    "device ignored: \(reason)",
                    metadata: ["device": "\(node.devnode ?? node.syspath)", "transport": "\(found.transport.rawValue)"])
            }
            return
        }
        guard running.withLock({ $0[node.syspath] == nil }) else { return }
        guard let runner = makeRunner(found) else { return }
        running.withLock { $0[node.syspath] = runner }
        group.addTask { [self] in
            await runner.run()
            running.withLock { if $0[node.syspath] === runner { $0[node.syspath] = nil } }
        }
    }

    private func remove(_ node: UdevDevice) {
        discovered.withLock { _ = $0.removeValue(forKey: node.syspath) }
        let runner = running.withLock { $0.removeValue(forKey: node.syspath) }
        runner?.stop(removed: true)
    }

    private func makeRunner(_ found: DiscoveredDevice) -> DeviceRunner? {
        let settings = found.rule?.settings
        let maxLineBytes = settings?.maxLineBytes ?? 4096
        let path = found.node.devnode ?? found.node.syspath
        let plan: ReadingPlan
        let source: any DeviceInputSource
        let wantsFeedback = configuration.feedbackEnabled && (settings?.feedback ?? true)
        var feedback: FeedbackPlan? = wantsFeedback ? .pageOnly : nil
        switch found.transport {
        case .hidKeyboard:
            let keyboard = found.rule?.keyboard ?? .init()
            plan = .keyboard(
                KeystrokeDecoder(
                    keymap: keyboard.keymap.flatMap(Keymap.named) ?? .us, suffix: keyboard.suffix ?? .enter,
                    interKeyGapMicroseconds: UInt64(keyboard.interKeyGapMilliseconds ?? 50) * 1000,
                    maximumLength: maxLineBytes),
                maxLineBytes: maxLineBytes)
            source = NodeInputSource(path: path, opener: EvdevNode.open(path:))
        case .hidPOS:
            guard let descriptorPath = found.node.reportDescriptorPath else { return nil }
            do {
                let descriptor = try HIDRawNode.reportDescriptor(at: descriptorPath)
                plan = .hidPOS(try HIDPOSScanDecoder(descriptor: descriptor), maxLineBytes: maxLineBytes)
                // The scanner beeps its own good read; the agent adds the error beep for a hold.
                if wantsFeedback,
                    let beeps = (try? HIDReportDescriptor(parsing: descriptor)).flatMap(HIDPOSBeepReports.init),
                    let error = beeps.errorBeep
                {
                    feedback = FeedbackPlan(channel: .hidOutputReport, error: error, ok: nil)
                }
            } catch {
                logger.error("HID POS scanner \(found.node.devnode ?? descriptorPath) cannot be read: \(error)")
                return nil
            }
            source = NodeInputSource(
                path: found.node.devnode ?? descriptorPath, opener: HIDRawNode.open(path:),
                acceptsWrites: feedback?.channel == .hidOutputReport)
        case .serial:
            guard let devnode = found.node.devnode else { return nil }
            var serial = settings ?? AgentConfiguration.SerialDevice(path: devnode)
            serial.path = devnode
            serial.id = found.deviceID
            serial.profile = found.profileID
            serial.firmware = found.node.usb?.firmware
            serial.usb = found.node.usb
            return DeviceRunner.serial(
                serial, catalog: catalog, sink: sink, registry: registry, states: states, logger: logger,
                discovered: found, feedbackEnabled: configuration.feedbackEnabled, book: book)
        case .agent:
            return nil
        case .usbVendor:
            guard let usb = found.node.usb, let bus = usb.busNumber, let address = usb.deviceAddress,
                let interface = found.rule?.match.interface
            else {
                logger.error(
                    "USB device \(found.node.syspath) has no bus number or address in sysfs; it cannot be opened")
                return nil
            }
            plan = .lines(maxLineBytes: maxLineBytes)
            source = USBInterfaceSource(
                target: USBInterfaceSource.Target(
                    devnode: path, busNumber: bus, deviceAddress: address, interface: interface,
                    detachKernelDriver: found.rule?.detachKernelDriver ?? false))
        }
        let usb = found.node.usb
        let profileID = found.profileID ?? "serial-lines"
        let profile = (book?.catalog ?? catalog).resolve(
            id: profileID, vendorID: usb?.vendorID, productID: usb?.productID, serial: usb?.serial,
            firmware: usb?.firmware)
        return DeviceRunner(
            target: DeviceRunner.Target(
                identity: found.identity, path: path, profileID: profileID, profile: profile, discovered: found),
            plan: plan, source: source, sink: sink, registry: registry, states: states, logger: logger,
            feedback: feedback, book: book)
    }
}

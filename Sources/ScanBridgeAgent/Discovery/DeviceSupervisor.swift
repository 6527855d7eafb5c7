import Logging
import ScanBridgeCore
import ScanBridgeDevices
import ScanBridgePayloads
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
    private let states: DeviceStates
    private let logger: Logger
    private let watcher = DeviceWatcher()
    private let running = Mutex<[String: any NodeRunner]>([:])
    private let discovered = Mutex<[String: DiscoveredDevice]>([:])
    /// Serial ports configured by path are read by their own runners, never twice.
    private let staticPaths: Set<String>

    init(
        configuration: AgentConfiguration, sink: EventSink, registry: DeviceRegistry, catalog: ProfileCatalog,
        states: DeviceStates, logger: Logger
    ) {
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
            running.withLock { if $0[node.syspath] === runner as AnyObject { $0[node.syspath] = nil } }
        }
    }

    private func remove(_ node: UdevDevice) {
        discovered.withLock { _ = $0.removeValue(forKey: node.syspath) }
        let runner = running.withLock { $0.removeValue(forKey: node.syspath) }
        runner?.stop(removed: true)
    }

    private func makeRunner(_ found: DiscoveredDevice) -> (any NodeRunner)? {
        let keyboard = found.rule?.keyboard ?? .init()
        switch found.transport {
        case .hidKeyboard:
            let decoder = KeystrokeDecoder(
                keymap: keyboard.keymap.flatMap(Keymap.named) ?? .us, suffix: keyboard.suffix ?? .enter,
                interKeyGapMicroseconds: UInt64(keyboard.interKeyGapMilliseconds ?? 50) * 1000,
                maximumLength: found.rule?.settings.maxLineBytes ?? 4096)
            return ScannerNodeRunner(
                found: found, decoder: KeyboardScanDecoder(decoder: decoder),
                source: NodeInputSource(path: found.node.devnode ?? found.node.syspath, opener: EvdevNode.open(path:)),
                sink: sink, registry: registry, catalog: catalog, states: states, logger: logger)
        case .hidPOS:
            guard let path = found.node.reportDescriptorPath else { return nil }
            do {
                let decoder = try HIDPOSScanDecoder(descriptor: HIDRawNode.reportDescriptor(at: path))
                return ScannerNodeRunner(
                    found: found, decoder: decoder,
                    source: NodeInputSource(path: found.node.devnode ?? path, opener: HIDRawNode.open(path:)),
                    sink: sink, registry: registry,
                    catalog: catalog, states: states, logger: logger)
            } catch {
                logger.error("HID POS scanner \(found.node.devnode ?? path) cannot be read: \(error)")
                return nil
            }
        case .serial:
            guard let devnode = found.node.devnode else { return nil }
            var settings = found.rule?.settings ?? AgentConfiguration.SerialDevice(path: devnode)
            settings.path = devnode
            settings.id = found.deviceID
            settings.profile = found.profileID
            settings.firmware = found.node.usb?.firmware
            settings.usb = found.node.usb
            states.register(id: found.deviceID, path: devnode, kind: "serial")
            return SerialNodeRunner(
                found: found,
                runner: SerialDeviceRunner(
                    configuration: settings, outbox: sink.outbox, registry: registry, catalog: catalog,
                    storage: sink.storage, counters: sink.counters, logger: logger, metrics: sink.metrics,
                    states: states), sink: sink)
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
            let target = USBInterfaceSource.Target(
                devnode: found.node.devnode ?? found.node.syspath, busNumber: bus, deviceAddress: address,
                interface: interface, detachKernelDriver: found.rule?.detachKernelDriver ?? false)
            let framing = LineScanDecoder(maximumLength: found.rule?.settings.maxLineBytes ?? 4096)
            return ScannerNodeRunner(
                found: found, decoder: framing, source: USBInterfaceSource(target: target), sink: sink,
                registry: registry, catalog: catalog, states: states, logger: logger)
        }
    }
}

/// A reader the supervisor started for a discovered node.
protocol NodeRunner: AnyObject, Sendable {
    func run() async
    /// `removed`: udev reported the node gone; else the agent stops.
    func stop(removed: Bool)
}

extension ScannerNodeRunner: NodeRunner {}

/// A USB serial port (a CDC-ACM scanner, a reader behind an allowlisted bridge) found by
/// discovery, read by the same runner as configured ports.
final class SerialNodeRunner: NodeRunner {
    let found: DiscoveredDevice
    let runner: SerialDeviceRunner
    let sink: EventSink
    private let removed = Mutex(false)

    init(found: DiscoveredDevice, runner: SerialDeviceRunner, sink: EventSink) {
        self.found = found
        self.runner = runner
        self.sink = sink
    }

    func run() async {
        var device = runner.identity
        device.profile =
            runner.catalog.resolve(
                id: runner.profileID, vendorID: device.vendorID, productID: device.productID, serial: device.serial,
                firmware: device.firmware)?.name
        await sink.store([found.attachedEvent(device: device)])
        await runner.run()
        if removed.withLock({ $0 }) {
            await sink.store([found.detachedEvent(device: device, reason: "removed")])
        }
    }

    func stop(removed: Bool) {
        self.removed.withLock { $0 = removed }
        runner.stop()
    }
}

import Foundation
import ScanBridgeAgent
import ScanBridgeDevices
import ScanBridgeTools
import Synchronization
import Testing

@testable import ScanBridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A discovered serial port is reopened only for the device discovery found there.
@Suite("Serial port owner (reopen identity)", .system)
struct SerialPortOwnerTests {
    static let reader = USBIdentity(
        vendorID: "1a86", productID: "7523", serial: "R1", syspath: "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2")

    static func tty(_ devnode: String, _ usb: USBIdentity?) -> UdevDevice {
        UdevDevice(
            syspath: (usb?.syspath ?? "/sys/devices/virtual") + "/1-2:1.0/tty/ttyUSB0", sysname: "ttyUSB0",
            subsystem: "tty", devnode: devnode, usb: usb)
    }

    @Test("The same vendor, product, serial and USB port pass; anything else on the node does not")
    func identity() {
        let path = "/dev/ttyUSB0"
        #expect(
            SerialPortOwner.check(devnode: path, expected: Self.reader, nodes: [Self.tty(path, Self.reader)]) == nil)
        var otherSerial = Self.reader
        otherSerial.serial = "R2"
        var otherPort = Self.reader
        otherPort.syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3"
        var otherProduct = Self.reader
        otherProduct.productID = "7522"
        let gps = USBIdentity(vendorID: "067b", productID: "2303", syspath: Self.reader.syspath)
        for usb in [otherSerial, otherPort, otherProduct, gps] {
            let problem = SerialPortOwner.check(devnode: path, expected: Self.reader, nodes: [Self.tty(path, usb)])
            #expect(problem?.description.hasPrefix("/dev/ttyUSB0 is now usb \(usb.vendorID):\(usb.productID)") == true)
        }
        // Firmware and strings may change (an update): still the same device.
        var updated = Self.reader
        updated.firmware = "2.65"
        updated.product = "USB Serial"
        #expect(SerialPortOwner.check(devnode: path, expected: Self.reader, nodes: [Self.tty(path, updated)]) == nil)
        // Nothing (yet) at the node, or the node on another device.
        #expect(
            SerialPortOwner.check(devnode: path, expected: Self.reader, nodes: [])?.description.contains(
                "no USB device udev knows") == true)
        #expect(
            SerialPortOwner.check(devnode: path, expected: Self.reader, nodes: [Self.tty("/dev/ttyUSB1", Self.reader)])
                != nil)
    }

    @Test("A source whose node now belongs to another device does not reopen it until the device is its own again")
    func reopenWaitsForTheSameDevice() async throws {
        let directory = TestSupport.temporaryDirectory("owner")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let link = directory + "/ttyUSB0"
        let first = try TestSupport.terminal()
        #expect(symlink(first.devicePath, link) == 0)
        let sameDevice = Mutex(true)
        let source = SerialInputSource(
            path: link, settings: SerialLineSettings(baud: 9600), retryMilliseconds: 100,
            verify: {
                sameDevice.withLock { $0 }
                    ? nil : DeviceError.otherDevice(path: link, expected: "the reader", found: "another bridge")
            })
        let log = InputLog()
        source.start()
        let reading = log.follow(source)
        defer { source.stop() }
        #expect(await TestSupport.eventually { log.opened == 1 })
        // Unplugged; another device takes the name.
        sameDevice.withLock { $0 = false }
        unlink(link)
        first.hangUp()
        let second = try TestSupport.terminal()
        defer { second.hangUp() }
        try second.write(Array("NOT-MINE\n".utf8))
        #expect(symlink(second.devicePath, link) == 0)
        #expect(await TestSupport.eventually { log.problems.contains { $0.contains("is now another bridge") } })
        try await Task.sleep(for: .milliseconds(300))
        #expect(log.opened == 1, "never opened for another device")
        #expect(log.bytes.isEmpty)
        // udev shows the reader there again.
        sameDevice.withLock { $0 = true }
        #expect(await TestSupport.eventually { log.opened == 2 })
        source.stop()
        await reading.value
    }
}

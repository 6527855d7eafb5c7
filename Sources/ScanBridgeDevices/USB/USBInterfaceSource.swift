import CLibUSB
import ScanBridgeCore

/// Reads the IN endpoint of a vendor-class USB interface (a scanner mode with no hidraw,
/// input or tty node) through libusb, from claim until the device goes.
///
/// A dedicated thread claims the interface (detaching the kernel driver only when asked; libusb
/// reattaches it on release) and runs synchronous interrupt or bulk transfers, which drive
/// libusb's event handling; each chunk is handed over and acknowledged before the next
/// transfer, as for every other source, so the device's own buffer holds data meanwhile.
public final class USBInterfaceSource: @unchecked Sendable {
    public typealias Input = DeviceInput

    public struct Target: Sendable, Equatable {
        public var devnode: String
        public var busNumber: Int
        public var deviceAddress: Int
        public var interface: Int
        /// Detach a kernel driver bound to the interface (e.g. usbhid) while reading it.
        public var detachKernelDriver: Bool

        public init(devnode: String, busNumber: Int, deviceAddress: Int, interface: Int, detachKernelDriver: Bool) {
            self.devnode = devnode
            self.busNumber = busNumber
            self.deviceAddress = deviceAddress
            self.interface = interface
            self.detachKernelDriver = detachKernelDriver
        }
    }

    public let target: Target
    public var inputs: AsyncStream<Input> { loop.inputs }
    private let loop = DeviceReadLoop()
    /// How long one transfer waits for data before the thread checks whether to stop.
    private let pollMilliseconds: UInt32

    public init(target: Target, pollMilliseconds: UInt32 = 500) {
        self.target = target
        self.pollMilliseconds = pollMilliseconds
    }

    public func start() {
        SystemThread.detach(name: "usb " + target.devnode) { [self] in run() }
    }

    public func acknowledge() { loop.acknowledge() }

    public func stop() { loop.stop() }

    private func fail(_ call: String, _ code: Int32) -> DeviceError {
        let path = target.devnode
        switch code {
        case LIBUSB_ERROR_ACCESS.rawValue: return .permissionDenied(path: path)
        case LIBUSB_ERROR_NO_DEVICE.rawValue, LIBUSB_ERROR_NOT_FOUND.rawValue: return .notFound(path: path)
        case LIBUSB_ERROR_BUSY.rawValue: return .busy(path: path)
        default: return .usb(path: path, call: call, error: String(cString: libusb_error_name(code)))
        }
    }

    private func run() {
        defer { loop.finish() }
        var context: OpaquePointer?
        let status = libusb_init(&context)
        guard status == 0, let context else {
            loop.yield(.unavailable(fail("libusb_init", status)))
            return
        }
        defer { libusb_exit(context) }
        let handle: OpaquePointer
        do { handle = try open(context) } catch {
            loop.yield(.unavailable(error))
            return
        }
        defer { libusb_close(handle) }
        if target.detachKernelDriver { _ = libusb_set_auto_detach_kernel_driver(handle, 1) }
        let claimed = libusb_claim_interface(handle, Int32(target.interface))
        guard claimed == 0 else {
            loop.yield(.unavailable(fail("claim interface \(target.interface)", claimed)))
            return
        }
        defer { _ = libusb_release_interface(handle, Int32(target.interface)) }
        guard let endpoint = inEndpoint(handle) else {
            loop.yield(
                .unavailable(
                    .usb(
                        path: target.devnode, call: "interface \(target.interface)",
                        error: "no interrupt or bulk IN endpoint")))
            return
        }
        loop.yield(.opened)
        var buffer = [UInt8](repeating: 0, count: endpoint.length)
        while !loop.isStopping {
            var transferred: Int32 = 0
            let result = buffer.withUnsafeMutableBufferPointer { bytes in
                endpoint.isBulk
                    ? libusb_bulk_transfer(
                        handle, endpoint.address, bytes.baseAddress, Int32(bytes.count), &transferred, pollMilliseconds)
                    : libusb_interrupt_transfer(
                        handle, endpoint.address, bytes.baseAddress, Int32(bytes.count), &transferred, pollMilliseconds)
            }
            if transferred > 0 {
                let chunk = Array(buffer[0..<Int(transferred)])
                if !loop.deliver(.bytes(chunk, receivedAt: MonotonicClock.nanoseconds())) { return }
            }
            switch result {
            case 0, LIBUSB_ERROR_TIMEOUT.rawValue, LIBUSB_ERROR_INTERRUPTED.rawValue:
                continue
            case LIBUSB_ERROR_NO_DEVICE.rawValue:
                loop.yield(.closed(reason: "unplugged"))
                return
            default:
                loop.yield(.closed(reason: "transfer failed: \(String(cString: libusb_error_name(result)))"))
                return
            }
        }
    }

    private func open(_ context: OpaquePointer) throws(DeviceError) -> OpaquePointer {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw fail("libusb_get_device_list", Int32(count)) }
        defer { libusb_free_device_list(list, 1) }
        for index in 0..<count {
            guard let device = list[index], Int(libusb_get_bus_number(device)) == target.busNumber,
                Int(libusb_get_device_address(device)) == target.deviceAddress
            else { continue }
            var handle: OpaquePointer?
            let status = libusb_open(device, &handle)
            guard status == 0, let handle else { throw fail("open", status) }
            return handle
        }
        throw .notFound(path: target.devnode)
    }

    private struct Endpoint {
        var address: UInt8
        var length: Int
        var isBulk: Bool
    }

    /// The first interrupt or bulk IN endpoint of the interface's first alternate setting.
    private func inEndpoint(_ handle: OpaquePointer) -> Endpoint? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        let device = libusb_get_device(handle)
        // The active configuration, else the first (a device not yet configured reports none).
        if libusb_get_active_config_descriptor(device, &config) != 0 {
            guard libusb_get_config_descriptor(device, 0, &config) == 0 else { return nil }
        }
        guard let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        for index in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[index]
            guard interface.num_altsetting > 0 else { continue }
            let setting = interface.altsetting[0]
            guard Int(setting.bInterfaceNumber) == target.interface else { continue }
            for endpointIndex in 0..<Int(setting.bNumEndpoints) {
                let endpoint = setting.endpoint[endpointIndex]
                let type = endpoint.bmAttributes & 0x03
                guard endpoint.bEndpointAddress & 0x80 != 0, type == 2 || type == 3 else { continue }
                return Endpoint(
                    address: endpoint.bEndpointAddress, length: max(8, Int(endpoint.wMaxPacketSize & 0x7FF)),
                    isBulk: type == 2)
            }
        }
        return nil
    }
}

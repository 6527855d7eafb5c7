/// A reader of one device the agent drives the same way whatever the transport: start, take
/// inputs, acknowledge each `.bytes` and `.timer`, ask for a timer, write a command, stop.
public protocol DeviceInputSource: AnyObject, Sendable {
    /// The node or port read, for the log.
    var path: String { get }
    var inputs: AsyncStream<DeviceInput> { get }
    func start()
    /// The consumer has handled the last `.bytes` (or `.timer`); the next may be read.
    func acknowledge()
    /// Asks for a `.timer` once CLOCK_MONOTONIC passes `nanoseconds` (nil: none).
    func setDeadline(_ nanoseconds: UInt64?)
    /// Writes a command to the device; fails when it is not open or cannot be written to.
    func send(_ bytes: [UInt8]) throws(DeviceError)
    /// Stops reading; the stream finishes once the device is closed. `farewell` is written to
    /// the device just before, where it can be written to.
    func stop(farewell: [UInt8])
}

extension DeviceInputSource {
    public func stop() { stop(farewell: []) }
}

extension NodeInputSource: DeviceInputSource {
    public func send(_ bytes: [UInt8]) throws(DeviceError) { try write(bytes) }
    public func stop(farewell: [UInt8]) { stop() }
}

extension USBInterfaceSource: DeviceInputSource {
    public var path: String { target.devnode }
    /// Transfers already wake the thread every poll interval; vendor streams need no timer.
    public func setDeadline(_ nanoseconds: UInt64?) {}
    public func send(_ bytes: [UInt8]) throws(DeviceError) { throw .readOnly(path: path) }
    public func stop(farewell: [UInt8]) { stop() }
}

extension SerialInputSource: DeviceInputSource {}

import ArgumentParser
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgeDevices
import ScanBridgePayloads

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Every device discovery finds, and whether the agent opens it or ignores it (and why).",
        discussion: """
            Nothing is opened: the list comes from udev and the configuration. A keyboard that no \
            profile or devices rule allows is listed as ignored; scanbridge never reads it.
            """)

    @OptionGroup var options: ConfigOption
    @Flag(help: "One JSON object {\"devices\": [...]}.") var json = false
    @Flag(help: "Also print the USB descriptors libusb reads (configurations, interfaces, endpoints).") var usb = false

    func run() throws {
        let configuration = options.load()
        let catalog: ProfileCatalog
        do { catalog = try ProfileCatalog.load(directories: configuration.profileDirectories) } catch {
            Failure(error.description).exit()
        }
        let entries: [DeviceListing.Entry]
        do { entries = try DeviceListing.entries(configuration: configuration, catalog: catalog) } catch {
            Failure(error.description).exit()
        }
        if json {
            print(DeviceListing.json(entries))
        } else if entries.isEmpty {
            print("no devices: nothing configured, and udev lists no keyboard, hidraw or USB serial device")
        } else {
            for entry in entries { print(DeviceListing.line(entry)) }
        }
        if usb && !json {
            let descriptors: [USBDeviceDescriptors]
            do { descriptors = try USBDeviceDescriptors.all() } catch { Failure(error.description).exit() }
            print("")
            if descriptors.isEmpty { print("libusb lists no USB devices") }
            for device in descriptors { print(device.lines.joined(separator: "\n")) }
        }
    }
}

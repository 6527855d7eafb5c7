import ArgumentParser
import FoundationEssentials
import ScanBridgeAgent
import ScanBridgeCommandSupport
import ScanBridgePayloads
import ScanBridgeWire

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles", abstract: "Device profiles: list, show, check a file; sign and verify a bundle.",
        subcommands: [List.self, Show.self, Check.self, ProfilesBundleCommand.self, ProfilesVerifyCommand.self])

    /// What the agent with this configuration loads: built-in, the stored bundle (when its
    /// authority is trusted), then the files.
    static func catalog(_ options: ConfigOption) -> ProfileCatalog {
        let configuration = options.load()
        var bundle: ProfileBundle?
        if !configuration.profileBundles.trust.isEmpty {
            do {
                bundle = try InstalledBundle.load(
                    stateDirectory: configuration.stateDirectory,
                    trusted: TrustedKeys.load(paths: configuration.profileBundles.trust))?.bundle
            } catch {
                StandardError.write("the stored profile bundle is set aside: \(error)\n")
            }
        }
        do { return try ProfileCatalog.load(directories: configuration.profileDirectories, bundle: bundle) } catch {
            Failure(error.description).exit()
        }
    }

    static func summary(_ profile: DeviceProfile) -> String {
        var match: [String] = []
        if let vendor = profile.match.vendorID { match.append("vendor \(vendor)") }
        if let product = profile.match.productID { match.append("product \(product)") }
        if let serial = profile.match.serial { match.append("serial \(serial)") }
        if let firmware = profile.match.firmware { match.append("firmware \(firmware)") }
        return "\(profile.name)  decoder \(profile.decoderName)  framing \(profile.framing)  "
            + "match \(match.isEmpty ? "any" : match.joined(separator: ", "))  schema \(profile.schema == nil ? "none" : "yes")  "
            + "(\(profile.source))"
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every profile the agent would load.")
        @OptionGroup var options: ConfigOption

        func run() throws {
            for profile in ProfilesCommand.catalog(options).profiles.sorted(by: {
                ($0.id, $0.version) < ($1.id, $1.version)
            }) {
                print(ProfilesCommand.summary(profile))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every version of one profile, with its schema.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Profile id.") var id: String
        @Flag(help: "Print the highest version's JSON document (a file profiles.d accepts) instead of the summary.")
        var json = false

        func run() throws {
            let versions = ProfilesCommand.catalog(options).profiles.filter { $0.id == id }.sorted {
                $0.version < $1.version
            }
            guard let newest = versions.last else { Failure("no profile \(id)").exit() }
            if json {
                print(newest.document.serialized(sortingKeys: true))
                return
            }
            for profile in versions {
                print(ProfilesCommand.summary(profile))
                if let schema = profile.schema { print("  schema: \(schema.document.serialized())") }
                for field in profile.normalisation?.fields ?? [] {
                    print("  data.\(field.name) ← \(field.value)\(field.unit.map { " with unit \($0)" } ?? "")")
                }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lint profile files: exit 0 when every one loads, 1 otherwise, naming the member at fault.")
        @Argument(help: "Profile files.") var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    StandardError.write("\(file): cannot read\n")
                    failed = true
                    continue
                }
                do {
                    let profile = try ProfileParser.parse(Array(data), source: file)
                    print("ok \(file): \(ProfilesCommand.summary(profile))")
                } catch {
                    StandardError.write("\(error.description)\n")
                    failed = true
                }
            }
            if failed { throw ExitCode.failure }
        }
    }
}

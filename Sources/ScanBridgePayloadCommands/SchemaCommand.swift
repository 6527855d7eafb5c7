import ArgumentParser
import FoundationEssentials
import ScanBridgeCommandSupport
import ScanBridgePayloads

#if canImport(Glibc)
    import Glibc
#endif

/// `scanbridge schema …`: JSON Schema tools for payload contracts.
public struct SchemaCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Check JSON payloads against a JSON Schema (the 2020-12 subset scanbridge supports).",
        subcommands: [Validate.self]
    )

    public init() {}

    /// `scanbridge schema validate --schema FILE [--json] INSTANCE_FILE…`
    public struct Validate: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Validate JSON files against a schema.",
            discussion: """
                Exit status: 0 when every instance is valid, 1 when some instance is invalid (a file \
                that is not JSON counts as invalid), 2 when the schema cannot be used (unreadable, \
                not JSON, or using a keyword outside the supported subset) or an instance file \
                cannot be read.
                """
        )

        @Option(name: .long, help: ArgumentHelp("The JSON Schema file.", valueName: "file"))
        public var schema: String

        @Flag(name: .long, help: "Print one JSON object per instance, as a JSON list.")
        public var json = false

        @Argument(help: ArgumentHelp("JSON files to check.", valueName: "instance-file"))
        public var instances: [String] = []

        public init() {}

        public func validate() throws {
            guard !instances.isEmpty else { throw ValidationError("Name at least one instance file.") }
        }

        public func run() throws {
            let compiled: JSONSchema
            do {
                compiled = try JSONSchema(json: try Self.read(schema))
            } catch let error as SchemaLoadError {
                throw Self.failure("schema \(schema): \(error)")
            } catch {
                throw Self.failure("cannot read schema \(error)")
            }

            var reports: [InstanceReport] = []
            for path in instances {
                let bytes: [UInt8]
                do {
                    bytes = try Self.read(path)
                } catch {
                    throw Self.failure("cannot read \(error)")
                }
                do {
                    let instance = try JSONValue.parse(bytes)
                    reports.append(InstanceReport(path: path, errors: compiled.validate(instance), notJSON: nil))
                } catch {
                    reports.append(InstanceReport(path: path, errors: [], notJSON: error))
                }
            }

            if json {
                print(JSONValue.array(reports.map(\.json)).serialized())
            } else {
                for report in reports {
                    print("\(report.path): \(report.isValid ? "valid" : "invalid")")
                    if let notJSON = report.notJSON { print("  not valid JSON: \(notJSON)") }
                    for error in report.errors {
                        let place = error.instancePointer.isRoot ? "(root)" : error.instancePointer.description
                        let keyword = error.schemaPointer.isRoot ? "(root)" : error.schemaPointer.description
                        print("  \(place): \(error.message) [schema \(keyword)]")
                    }
                }
            }
            if reports.contains(where: { !$0.isValid }) { throw ExitCode(1) }
        }

        private struct InstanceReport {
            let path: String
            let errors: [SchemaValidationError]
            let notJSON: JSONParseError?

            var isValid: Bool { errors.isEmpty && notJSON == nil }

            var json: JSONValue {
                var errorList = errors.map { error -> JSONValue in
                    .object([
                        "instance_pointer": .string(error.instancePointer.description),
                        "schema_pointer": .string(error.schemaPointer.description),
                        "message": .string(error.message),
                    ])
                }
                if let notJSON {
                    errorList.append(
                        .object([
                            "instance_pointer": .string(""), "schema_pointer": .string(""),
                            "message": .string("not valid JSON: \(notJSON)"),
                        ]))
                }
                return .object([
                    "instance": .string(path), "valid": .bool(isValid), "errors": .array(errorList),
                ])
            }
        }

        private struct ReadError: Error, CustomStringConvertible {
            let description: String
        }

        private static func read(_ path: String) throws(ReadError) -> [UInt8] {
            var info = stat()
            guard stat(path, &info) == 0 else { throw ReadError(description: "\(path): no such file") }
            guard info.st_mode & S_IFMT != S_IFDIR else { throw ReadError(description: "\(path): is a directory") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ReadError(description: "\(path): permission denied or unreadable")
            }
            return Array(data)
        }

        /// Reports a schema or usage problem on standard error; the caller throws the result,
        /// which ends the command with status 2.
        private static func failure(_ message: String) -> ExitCode {
            StandardError.write("error: \(message)\n")
            return ExitCode(2)
        }
    }
}

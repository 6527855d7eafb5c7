#if DEBUG
    import FoundationEssentials
    import ScanBridgeCommandSupport

    #if canImport(Glibc)
        import Glibc
    #endif

    /// The package this debug agent was built from, when it runs from that package's build
    /// directory (`<package>/.build/<triple>/debug/scanbridge`). `swift run scanbridge demo`, the
    /// README's first command, builds only the agent: the agent cannot make SwiftPM build the
    /// tools too without linking all they use (a dependency on an executable target links that
    /// target's libraries), so it builds them itself the first time a tool command is typed.
    /// Release builds (what the package ships) never do this.
    struct DevelopmentTree {
        var package: String
        var scratch: String
        var configuration: String

        init?(agent: String) {
            let binDirectory = URL(fileURLWithPath: agent).deletingLastPathComponent()
            let scratch = binDirectory.deletingLastPathComponent().deletingLastPathComponent()
            let package = scratch.deletingLastPathComponent()
            let files = FileManager.default
            guard files.fileExists(atPath: package.appendingPathComponent("Package.swift").path),
                files.fileExists(atPath: package.appendingPathComponent("Sources/scanbridge-tools").path)
            else { return nil }
            self.package = package.path
            self.scratch = scratch.path
            configuration = binDirectory.lastPathComponent
        }

        /// Runs `swift build --product scanbridge-tools` for this tree, its output on standard
        /// error (standard output is the tool command's), and waits for it.
        func buildTools(for command: ToolCommand) {
            let arguments = [
                "swift", "build", "--package-path", package, "--scratch-path", scratch, "-c", configuration,
                "--product", ToolCommand.executableName,
            ]
            StandardError.write(
                "scanbridge \(command.rawValue): building \(ToolCommand.executableName) first, which this development tree has not built yet (\(arguments.joined(separator: " ")))\n"
            )
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
            argv.append(nil)
            var environment: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map {
                strdup("\($0.key)=\($0.value)")
            }
            environment.append(nil)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_adddup2(&actions, 2, 1)
            var pid: pid_t = 0
            let spawned = posix_spawnp(&pid, "swift", &actions, nil, argv, environment)
            posix_spawn_file_actions_destroy(&actions)
            guard spawned == 0 else {
                StandardError.write("scanbridge: cannot run swift: \(String(cString: strerror(spawned)))\n")
                return
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
#endif

import ScanBridgeCommandSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Hands `scanbridge receive|verify|demo|simulate|bench …` to `scanbridge-tools`, so the
/// command line works as it did when one binary held everything, while the agent's own binary
/// links no receiver, no simulator and no bench. git-style: the agent replaces itself (`execv`)
/// with the tools binary beside it, argv[0] "scanbridge" and every argument unchanged, so
/// output, exit status and signals are the tools' own.
enum ToolDispatch {
    /// Returns only when `arguments` (argv, with argv[0]) names no tool command.
    static func handOverIfToolCommand(_ arguments: [String]) {
        guard let command = ToolCommand.named(in: arguments.dropFirst()) else { return }
        handOver(command, arguments: Array(arguments.dropFirst()))
    }

    static func handOver(_ command: ToolCommand, arguments: [String]) -> Never {
        let own = SiblingExecutable.ownPath
        let tools = SiblingExecutable.path(ToolCommand.executableName)
        #if DEBUG
            if access(tools, X_OK) != 0 { DevelopmentTree(agent: own)?.buildTools(for: command) }
        #endif
        guard access(tools, X_OK) == 0 else {
            StandardError.write(
                "scanbridge \(command.rawValue): the tools are not installed here (no \(ToolCommand.executableName) beside \(own)) — install the scanbridge-tools package, or build it with `swift build --product scanbridge-tools`\n"
            )
            exit(1)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = (["scanbridge"] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(tools, argv)
        StandardError.write(
            "scanbridge \(command.rawValue): cannot run \(tools): \(String(cString: strerror(errno)))\n")
        exit(1)
    }
}

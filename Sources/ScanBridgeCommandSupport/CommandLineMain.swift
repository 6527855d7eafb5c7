import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

extension AsyncParsableCommand {
    /// Parses the command line and runs the command, as both executables' `main` does: usage
    /// errors exit 2 (as the CLI contract says), not ArgumentParser's 64.
    public static func runCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                StandardError.write(fullMessage(for: error) + "\n")
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

import FoundationEssentials

/// Executables installed side by side (`/usr/bin`, `.build/debug`): the agent finds
/// `scanbridge-tools` beside itself, and `bench` finds the agent beside the tools.
public enum SiblingExecutable {
    /// This process's executable, symbolic links resolved (`/proc/self/exe`).
    public static var ownPath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Where an executable called `name` beside this one would be (it may not exist).
    public static func path(_ name: String) -> String {
        let own = ownPath
        guard let slash = own.lastIndex(of: "/") else { return name }
        return String(own[...slash]) + name
    }
}

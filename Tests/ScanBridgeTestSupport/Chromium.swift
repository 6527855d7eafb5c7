import Foundation

/// Headless Chromium driven over the DevTools protocol by `Tests/Tools/cdp.py`: a test can
/// fill and submit a form, follow the redirect, and read a page's JavaScript state, which the
/// rendered DOM alone cannot show.
enum Chromium {
    /// Debian's package, which `.ci/run` installs; nil where it is missing.
    static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `steps` (see cdp.py: navigate, eval, eval_navigate, wait_for, sleep) in one fresh
    /// browser profile and returns the values of the eval and wait_for steps, in order.
    static func run(_ steps: [[String: Any]], flags: [String] = []) async throws -> [Any] {
        guard let browser = executable else { throw Failure(description: "no chromium: CI installs the package") }
        let input = try JSONSerialization.data(withJSONObject: steps)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [TestSupport.repository + "/Tests/Tools/cdp.py", browser] + flags
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = await TestSupport.onThreadValue { stdout.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        let answer = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        if let object = answer as? [String: Any], let error = object["error"] {
            throw Failure(description: "chromium: \(error) (values so far: \(object["values"] ?? []))")
        }
        guard let values = answer as? [Any] else {
            throw Failure(description: "cdp.py printed \(String(decoding: data, as: UTF8.self))")
        }
        return values
    }
}

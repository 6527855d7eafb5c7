#if canImport(Glibc)
    import Glibc
#endif

/// Prints an operator-facing error and exits non-zero without ArgumentParser's usage text.
public struct Failure: Error, CustomStringConvertible {
    public var description: String
    public var code: Int32 = 1

    public init(_ description: String, code: Int32 = 1) {
        self.description = description
        self.code = code
    }

    public init(_ error: any Error) {
        description = String(describing: error)
    }

    public func exit() -> Never {
        StandardError.write("scanbridge: error: " + description + "\n")
        Glibc.exit(code)
    }
}

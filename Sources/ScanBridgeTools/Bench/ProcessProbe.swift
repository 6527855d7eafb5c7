import Foundation
import ScanBridgeAgent

/// What `/proc` says about a process: CPU time, context switches (wake-ups), peak memory.
struct ProcessProbe {
    let pid: Int32

    /// User plus system CPU seconds so far.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime field 14, stime field 15 (1-based, stat(5)).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Voluntary plus involuntary context switches of every thread: each is a wake-up.
    func contextSwitches() -> Int {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return 0 }
        var total = 0
        for task in tasks {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)
            else { continue }
            for line in status.split(separator: "\n")
            where line.hasPrefix("voluntary_ctxt_switches") || line.hasPrefix("nonvoluntary_ctxt_switches") {
                total += Int(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
            }
        }
        return total
    }

    /// Peak resident set size (VmHWM) in MiB.
    func peakResidentMegabytes() -> Double { statusMegabytes()["VmHWM"] ?? 0 }

    /// Resident now, split (MiB): `anonymous` is the process's own heap and stacks; `file` is
    /// mapped code and data of the binary and its libraries, shared with every other process
    /// mapping them and dropped by the kernel under memory pressure.
    func resident() -> (anonymous: Double, file: Double) {
        let status = statusMegabytes()
        return (status["RssAnon"] ?? 0, (status["RssFile"] ?? 0) + (status["RssShmem"] ?? 0))
    }

    /// The kB fields of `/proc/PID/status`, in MiB, from one read.
    private func statusMegabytes() -> [Substring: Double] {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [:] }
        var fields: [Substring: Double] = [:]
        for line in status.split(separator: "\n") where line.hasSuffix(" kB") {
            // "VmHWM:\t   58536 kB"
            guard let colon = line.firstIndex(of: ":"),
                let kilobytes = Double(
                    line[line.index(after: colon)...].dropLast(3).trimmingCharacters(in: .whitespaces))
            else { continue }
            fields[line[..<colon]] = kilobytes / 1024
        }
        return fields
    }
}

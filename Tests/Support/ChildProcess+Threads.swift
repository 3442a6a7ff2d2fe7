import Foundation

extension ChildProcess {
    /// What the process's threads are doing, in a few lines: each running one, or one in the project's code, with its
    /// first frames (`scripts/lib/stuck-threads.py` over gdb's stacks, as the conformance suite's watchdog does). For
    /// the failure message of a test whose service stopped answering: CI keeps only its output.
    public func threads() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mayago-threads-\(name)-\(pid)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let states = folder.appendingPathComponent("threads")
        let stacks = folder.appendingPathComponent("stacks")
        // The states first: gdb stops every thread while it reads their stacks.
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        let lines = tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/stat", encoding: .utf8) }
        try? lines.joined().write(to: states, atomically: true, encoding: .utf8)
        _ = Self.output(of: ["gdb", "-p", "\(pid)", "-batch", "-ex", "thread apply all bt"], into: stacks)
        return Self.output(of: ["python3", "scripts/lib/stuck-threads.py", name, stacks.path, states.path])
            ?? "\(name): its threads could not be read (gdb's output is in \(stacks.path))"
    }

    /// What `command` wrote (into `file` if given), or nil if it could not run or failed.
    private static func output(of command: [String], into file: URL? = nil) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let pipe = Pipe()
        if let file {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            process.standardOutput = try? FileHandle(forWritingTo: file)
        } else {
            process.standardOutput = pipe
        }
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let written = file == nil ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: written, as: UTF8.self)
    }
}

import Crypto

/// A Lua script run atomically on the server, addressed by its SHA-1 as `EVALSHA` expects.
public struct RedisScript: Sendable {
    public let source: String
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `EVALSHA` of the script with `keys` and `arguments`.
    public func call(keys: [RedisArgument], arguments: [RedisArgument]) -> [RedisArgument] {
        var command: [RedisArgument] = ["EVALSHA", RedisArgument(sha1), RedisArgument(keys.count)]
        command.reserveCapacity(command.count + keys.count + arguments.count)
        command += keys
        command += arguments
        return command
    }

    /// `call` as `EVAL`, with the source, for a server that does not know the script (it then keeps it).
    public func loading(_ call: [RedisArgument]) -> [RedisArgument] {
        var command = call
        command[0] = "EVAL"
        command[1] = RedisArgument(source)
        return command
    }

    /// Whether `error` is the server saying it does not know a script (after a restart or `SCRIPT FLUSH`).
    public static func isUnknown(_ error: any Error) -> Bool {
        if case RedisError.server(let message) = error { message.hasPrefix("NOSCRIPT") } else { false }
    }
}

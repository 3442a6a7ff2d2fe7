/// A dictionary of at most `limit` entries that keeps those in use. New entries fill a current half; when it is full,
/// it becomes the old half and the old one before it is let go. Reading an entry of the old half brings it back into
/// the current one, so an entry read at least once while a half fills stays, and a full cache never empties at once
/// (which had every entry in use looked up or verified again together, right after the cache was let go).
/// Not synchronized: its owner keeps it under its lock, in its actor or on its event loop. Inlinable, as the
/// gateway reads it on every request: a generic type used across modules is otherwise not specialized.
public struct BoundedCache<Key: Hashable, Value> {
    @usableFromInline var current: [Key: Value] = [:]
    @usableFromInline var old: [Key: Value] = [:]
    @usableFromInline let half: Int

    @inlinable
    public init(limit: Int) {
        half = max(1, limit / 2)
    }

    /// How many entries are kept, never more than `limit`.
    @inlinable
    public var count: Int { current.count + old.count }

    @inlinable
    public subscript(key: Key) -> Value? {
        mutating get {
            if let value = current[key] { return value }
            guard let value = old.removeValue(forKey: key) else { return nil }
            keep(value, for: key)
            return value
        }
        set {
            old[key] = nil
            if let newValue { keep(newValue, for: key) } else { current[key] = nil }
        }
    }

    /// Lets every entry go, as when what they say is no longer true.
    @inlinable
    public mutating func removeAll() {
        current.removeAll()
        old.removeAll()
    }

    @inlinable
    mutating func keep(_ value: Value, for key: Key) {
        if current.count >= half, current[key] == nil {
            swap(&current, &old)
            current.removeAll(keepingCapacity: true)
        }
        current[key] = value
    }
}

extension BoundedCache: Sendable where Key: Sendable, Value: Sendable {}

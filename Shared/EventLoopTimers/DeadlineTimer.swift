import NIOCore

/// A timer for a deadline that moves with every request or command, as a connection's timeout does. NIO keeps an
/// event loop's scheduled tasks in one heap and cancels a task by searching all of it, and each task allocates a
/// promise and a closure: a task scheduled and cancelled per request showed in the gateway's profiles. Here the
/// loop's task is scheduled once and moves only when it fires: if the deadline went later meanwhile, it is
/// scheduled again for the rest; if the deadline was cleared, nothing happens. Only a deadline earlier than the
/// task reschedules it. Used on its event loop only.
public final class DeadlineTimer {
    private let loop: any EventLoop
    private let action: () -> Void
    private var deadline: NIODeadline?
    private var task: (at: NIODeadline, scheduled: Scheduled<Void>)?

    /// `action` runs on `loop` when the deadline passes.
    public init(on loop: any EventLoop, action: @escaping () -> Void) {
        self.loop = loop
        self.action = action
    }

    /// Sets the deadline, or clears it with `nil`.
    public func set(_ deadline: NIODeadline?) {
        self.deadline = deadline
        guard let deadline else { return }
        if let task {
            guard deadline < task.at else { return }
            task.scheduled.cancel()
        }
        schedule(at: deadline)
    }

    /// Clears the deadline and the loop's task, for when its owner goes away.
    public func cancel() {
        deadline = nil
        task?.scheduled.cancel()
        task = nil
    }

    private func schedule(at time: NIODeadline) {
        let scheduled = loop.assumeIsolated().scheduleTask(deadline: time) { [weak self] () -> Void in self?.fired() }
        task = (time, scheduled)
    }

    private func fired() {
        task = nil
        guard let deadline else { return }
        if deadline <= .now() {
            self.deadline = nil
            action()
        } else {
            schedule(at: deadline)
        }
    }
}

import NIOCore

/// Runs a task's jobs on one NIO event loop. What such a task does between two suspension points
/// is one event-loop job, so nothing the loop handles (a socket's end, say) comes in between:
/// `CopyWriteGuard` checks that a connection is open and hands postgres-nio its next COPY call in
/// the same job. (swift-nio as pinned here has no task executor of its own.)
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}

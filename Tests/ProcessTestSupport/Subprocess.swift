import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process of the tests (kubectl, helm, python3 with moto, `rotor` itself),
/// started with `posix_spawn(3)` and reaped by a thread of its own.
///
/// Why not Foundation's `Process`: on Linux, Swift 6.3.1's `Process.run()` lists
/// `/proc/self/fd` by copying each `dirent.d_name` whole (256 bytes) although glibc
/// sizes records to their name; when a record ends glibc's buffer next to an unmapped
/// page the copy faults, and the whole test process died with SIGSEGV in `memcpy`
/// (twice in twenty CI runs; fixed upstream after 6.3.1). Here every pipe is created
/// close-on-exec and the child closes every descriptor above 2 with
/// `posix_spawn_file_actions_addclosefrom_np`, so no listing is needed.
///
/// `@unchecked Sendable`: the exit status is written once by the reaper thread under
/// `lock`, and every read takes `lock`; the descriptors are immutable after spawn.
public final class Subprocess: @unchecked Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable { case pipe, null }
    /// Where the child's standard output goes.
    public enum Output: Sendable { case pipe, null }
    /// Where the child's standard error goes; `.standardOutput` shares stdout's pipe.
    public enum ErrorOutput: Sendable { case pipe, null, standardOutput }

    /// How the child ended.
    public struct Termination: Sendable, Equatable {
        /// The exit code, or the signal number when ``bySignal``.
        public var status: Int32
        /// Whether a signal ended it (Foundation's `.uncaughtSignal`).
        public var bySignal: Bool
        /// An exit with code 0.
        public var succeeded: Bool { !bySignal && status == 0 }
    }

    public let pid: pid_t
    /// Write end of the child's stdin (with `.pipe`); close it with ``closeStandardInput()``.
    public let standardInput: Int32?
    /// Read end of the child's stdout (with `.pipe`); closed when this object goes away.
    public let standardOutput: Int32?
    /// Read end of the child's stderr (with `.pipe`); closed when this object goes away.
    public let standardError: Int32?

    private let lock = NSCondition()
    /// Set once the child is reaped and every ``OutputCollector`` following it has read
    /// its pipe to the end (or a grace period passed, for a grandchild holding it open):
    /// a test that sees the process ended then sees all it wrote.
    private var termination: Termination?
    private var reaped = false
    private var openCollectors = 0
    private var waiters: [CheckedContinuation<Termination, Never>] = []
    private var stdinClosed = false

    private init(pid: pid_t, standardInput: Int32?, standardOutput: Int32?, standardError: Int32?) {
        self.pid = pid
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    deinit {
        closeStandardInput()
        if let standardOutput { close(standardOutput) }
        if let standardError { close(standardError) }
    }

    /// Starts `executable` (a path, or a name looked up on PATH) with `arguments`.
    /// `environment` nil inherits this process's; `directory` nil keeps the current one.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        stdin: Input = .pipe, stdout: Output = .pipe, stderr: ErrorOutput = .pipe
    ) throws -> Subprocess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        var parentEnds: [Int32] = []
        defer { childEnds.forEach { _ = close($0) } }
        func fail(_ code: Int32, _ step: String) -> SpawnError {
            parentEnds.forEach { _ = close($0) }
            return SpawnError(executable: executable, step: step, code: code)
        }

        /// A pipe whose child end becomes the child's `target` descriptor; returns our end.
        func pipe(to target: Int32, childReads: Bool) throws -> Int32 {
            let ends: (read: Int32, write: Int32)
            do { ends = try makePipe(executable) } catch {
                parentEnds.forEach { _ = close($0) }
                throw error
            }
            let (child, parent) = childReads ? (ends.read, ends.write) : (ends.write, ends.read)
            childEnds.append(child)
            parentEnds.append(parent)
            posix_spawn_file_actions_adddup2(&actions, child, target)
            return parent
        }
        func devNull(_ target: Int32, _ flags: Int32) {
            posix_spawn_file_actions_addopen(&actions, target, "/dev/null", flags, 0)
        }

        var stdinWriter: Int32?
        switch stdin {
        case .pipe: stdinWriter = try pipe(to: STDIN_FILENO, childReads: true)
        case .null: devNull(STDIN_FILENO, O_RDONLY)
        }
        var stdoutReader: Int32?
        switch stdout {
        case .pipe: stdoutReader = try pipe(to: STDOUT_FILENO, childReads: false)
        case .null: devNull(STDOUT_FILENO, O_WRONLY)
        }
        var stderrReader: Int32?
        switch stderr {
        case .pipe: stderrReader = try pipe(to: STDERR_FILENO, childReads: false)
        case .null: devNull(STDERR_FILENO, O_WRONLY)
        case .standardOutput: posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)
        }
        if let directory {
            guard let chdir = GlibcSpawnExtensions.addChdir else { throw fail(ENOSYS, "posix_spawn_file_actions_addchdir_np") }
            let code = directory.withCString { chdir(&actions, $0) }
            guard code == 0 else { throw fail(code, "chdir \(directory)") }
        }
        if let closeFrom = GlibcSpawnExtensions.addCloseFrom {
            let code = closeFrom(&actions, 3)
            guard code == 0 else { throw fail(code, "posix_spawn_file_actions_addclosefrom_np") }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (as Foundation does), every signal unblocked, and the
        // ones a test sends or the runtime ignores back at their defaults.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid = pid_t()
        let code = withCStrings([executable] + arguments) { argv in
            withCStrings(environmentLines) { envp in
                executable.contains("/")
                    ? posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
                    : posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        guard code == 0 else { throw fail(code, "posix_spawn") }
        let process = Subprocess(pid: pid, standardInput: stdinWriter, standardOutput: stdoutReader, standardError: stderrReader)
        Thread.detachNewThread { process.reap() }
        return process
    }

    // MARK: Lifecycle

    /// Whether it has not ended yet.
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return termination == nil
    }

    /// Sends `signal` unless it has ended already (its pid may then belong to another process).
    public func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if !reaped { kill(pid, signal) }
    }

    /// SIGTERM, as Foundation's `terminate()`.
    public func terminate() { send(SIGTERM) }
    /// SIGINT, as Ctrl-C.
    public func interrupt() { send(SIGINT) }

    /// Blocks the calling thread until it ends. Never on the concurrency pool: use ``exit()``.
    @discardableResult
    public func waitUntilExit() -> Termination {
        lock.lock()
        defer { lock.unlock() }
        while termination == nil { lock.wait() }
        return termination!
    }

    /// How it ended, awaited without blocking a thread.
    public func exit() async -> Termination {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let termination {
                lock.unlock()
                continuation.resume(returning: termination)
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    /// The exit code (or signal number) once it has ended; 0 before.
    public var terminationStatus: Int32 {
        lock.lock()
        defer { lock.unlock() }
        return termination?.status ?? 0
    }

    /// Closes the write end of its stdin, so it reads end of file. Idempotent.
    public func closeStandardInput() {
        lock.lock()
        defer { lock.unlock() }
        guard let standardInput, !stdinClosed else { return }
        stdinClosed = true
        close(standardInput)
    }

    /// Waits for the child on this (dedicated) thread and records how it ended.
    private func reap() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR {
                status = 0x7F00  // not ours to wait for: record an exit of 127
                break
            }
        }
        let ended: Termination
        if status & 0x7F == 0 {
            ended = Termination(status: (status >> 8) & 0xFF, bySignal: false)
        } else {
            ended = Termination(status: status & 0x7F, bySignal: true)
        }
        lock.lock()
        reaped = true
        let grace = Date().addingTimeInterval(5)
        while openCollectors > 0 && lock.wait(until: grace) {}
        termination = ended
        let resumed = waiters
        waiters = []
        lock.broadcast()
        lock.unlock()
        for waiter in resumed { waiter.resume(returning: ended) }
    }

    /// An ``OutputCollector`` starts reading one of its pipes.
    func collectorStarted() {
        lock.lock()
        openCollectors += 1
        lock.unlock()
    }

    /// An ``OutputCollector`` read its pipe to the end.
    func collectorEnded() {
        lock.lock()
        openCollectors -= 1
        lock.broadcast()
        lock.unlock()
    }

    // MARK: Pipes

    /// One `read(2)` of at most `count` bytes, retried when a signal interrupts it
    /// (Foundation's `FileHandle` reads end in `try!` on `EINTR`). Empty at end of file.
    public static func readChunk(_ descriptor: Int32, count: Int = 65_536) -> Data {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let read = Glibc.read(descriptor, &buffer, count)
            if read >= 0 { return Data(buffer[0..<read]) }
            if errno != EINTR { return Data() }
        }
    }

    /// Everything `descriptor` delivers until end of file.
    public static func readAll(_ descriptor: Int32) -> Data {
        var data = Data()
        while true {
            let chunk = readChunk(descriptor)
            if chunk.isEmpty { return data }
            data.append(chunk)
        }
    }

    /// Writes all of `data` with `write(2)`, retrying on `EINTR`; stops if the reader went away.
    public static func writeAll(_ data: Data, to descriptor: Int32) {
        var bytes = [UInt8](data)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// Reads `descriptor` to its end on a thread of its own, off the concurrency pool
    /// (nothing without one).
    public static func readToEnd(_ descriptor: Int32?) async -> Data {
        guard let descriptor else { return Data() }
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: readAll(descriptor)) }
        }
    }

    /// Runs the child to its end: `input` fed to stdin while stdout and stderr are read
    /// (at the same time, so neither side waits on a full pipe).
    public func collect(input: Data = Data()) async -> (termination: Termination, stdout: Data, stderr: Data) {
        if let standardInput {
            Thread.detachNewThread { [self] in
                Subprocess.writeAll(input, to: standardInput)
                closeStandardInput()
            }
        }
        async let out = Subprocess.readToEnd(standardOutput)
        async let err = Subprocess.readToEnd(standardError)
        let (outData, errData) = await (out, err)
        return (await exit(), outData, errData)
    }

    private static func makePipe(_ executable: String) throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SpawnError(executable: executable, step: "pipe", code: errno) }
        // Close-on-exec, so no other child inherits this end (`pipe2` is not in Swift's
        // Glibc module; a child spawned in between closes it anyway with `addclosefrom_np`).
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var executable: String
        public var step: String
        public var code: Int32
        public var description: String { "cannot start \(executable): \(step): \(String(cString: strerror(code)))" }
    }
}

/// Runs `body` with a NULL-terminated array of C strings copied from `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    return body(copies)
}

/// glibc's `_np` spawn actions, which Swift's Glibc module does not declare (they need
/// `_GNU_SOURCE`); looked up once by name. glibc 2.29 has `addchdir_np`, 2.34 `addclosefrom_np`.
private enum GlibcSpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }
}

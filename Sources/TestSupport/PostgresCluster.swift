import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throw-away PostgreSQL server for tests: `initdb` into a fresh temp dir, `pg_ctl start` on a free
/// 127.0.0.1 port, and removal of everything in `destroy()`. No Docker, no shared server.
///
/// - Needs the PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql`; found via
///   `$GRIDKEEPER_PG_BINDIR`, `pg_config --bindir`, the highest `/usr/lib/postgresql/*/bin`, then `PATH`).
/// - As root (CI), `initdb`/`pg_ctl`/`postgres` run as user `nobody` (via `setpriv`, else `runuser`),
///   and the temp dir is owned by that user; otherwise they run as the current user.
/// - Superuser `user` ("gridkeeper") with a random `password`; TCP connections need the password
///   (scram-sha-256), the unix socket in the temp dir is `trust`. `fsync=off` (a server crash, i.e. `stop()`, keeps
///   committed data; only an OS crash would not).
/// - The server never inherits our stdout/stderr (it logs to `server.log` in the temp dir), and a detached
///   watchdog stops it and removes the dir within ~1 s if the test process dies without `destroy()`.
/// - Startup (initdb + start) takes roughly 1–4 s; use `shared()` unless a test needs its own server
///   (e.g. to `stop()`/`restart()` it).
public final class PostgresCluster: Sendable {
    public let port: Int
    public let user: String
    public let password: String
    /// The temp dir holding `data/`, the unix socket and `server.log`.
    public let directory: String
    public var dataDirectory: String { directory + "/data" }
    public var logFile: String { directory + "/server.log" }

    private let bin: String
    private let runAs: [String]  // privilege-drop prefix, empty when not root

    private init(port: Int, user: String, password: String, directory: String, bin: String, runAs: [String]) {
        self.port = port
        self.user = user
        self.password = password
        self.directory = directory
        self.bin = bin
        self.runAs = runAs
    }

    // MARK: Binaries

    /// The directory holding `initdb`, `pg_ctl` and `postgres`, or nil when PostgreSQL is not installed.
    public static var binDirectory: String? { locatedBinDirectory }

    private static let locatedBinDirectory: String? = {
        let fm = FileManager.default
        func complete(_ dir: String) -> Bool {
            ["initdb", "pg_ctl", "postgres"].allSatisfy { fm.isExecutableFile(atPath: dir + "/" + $0) }
        }
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["GRIDKEEPER_PG_BINDIR"], !dir.isEmpty { candidates.append(dir) }
        if let pgConfig = findInPath("pg_config"),
           let result = try? runCommand(pgConfig, ["--bindir"], timeout: 10), result.status == 0 {
            candidates.append(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { name in Double(name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
        candidates += versions.map { "/usr/lib/postgresql/\($0.0)/bin" }
        if let initdb = findInPath("initdb") { candidates.append((initdb as NSString).deletingLastPathComponent) }
        return candidates.first(where: complete)
    }()

    private static func findInPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    private var psqlPath: String {
        let own = bin + "/psql"
        return FileManager.default.isExecutableFile(atPath: own) ? own : (Self.findInPath("psql") ?? own)
    }

    // MARK: Lifecycle

    private static let sharedCluster: Result<PostgresCluster, any Error> = Result { try start() }

    /// One cluster for the whole test process, started on first use (thread-safe) and destroyed at exit.
    /// A failed start is remembered: every later call throws the same error.
    public static func shared() throws -> PostgresCluster {
        try sharedCluster.get()
    }

    /// Starts a new cluster in a fresh temp dir. Call `destroy()` when done (the watchdog and an
    /// `atexit` hook clean up otherwise).
    public static func start() throws -> PostgresCluster {
        guard let bin = binDirectory else {
            throw PostgresClusterError(
                message: "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install the `postgresql` "
                    + "Debian package (apt-get install postgresql) or set GRIDKEEPER_PG_BINDIR")
        }
        let fm = FileManager.default
        let runAs = try privilegeDropPrefix()
        // Short path: the unix socket path must stay under ~100 bytes. As root, $TMPDIR may not be
        // reachable by `nobody`, so use /tmp.
        let tmp = geteuid() == 0 ? "/tmp" : (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        let directory = tmp + "/gk-pg-" + randomHex(8)
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        var ok = false
        defer { if !ok { try? fm.removeItem(atPath: directory) } }

        let password = randomHex(16)
        let user = "gridkeeper"
        let pwfile = directory + "/pwfile"
        guard fm.createFile(atPath: pwfile, contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw PostgresClusterError(message: "cannot write \(pwfile)")
        }
        if geteuid() == 0 {
            let (uid, gid) = try serverUserIDs()
            for path in [directory, pwfile] where chown(path, uid, gid) != 0 {
                throw PostgresClusterError(message: "chown \(path) failed: \(String(cString: strerror(errno)))")
            }
        }
        let cluster = PostgresCluster(port: 0, user: user, password: password, directory: directory, bin: bin, runAs: runAs)
        try cluster.serverCommand("initdb", [
            "-D", cluster.dataDirectory, "-U", user, "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--locale=C", "--no-sync",
        ], timeout: 120)
        try? fm.removeItem(atPath: pwfile)
        let conf = """

            # GridKeeper test cluster
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(directory.replacingOccurrences(of: "'", with: "''"))'
            fsync = off
            full_page_writes = off
            shared_buffers = 32MB
            max_connections = 100
            logging_collector = off

            """
        let confHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: cluster.dataDirectory + "/postgresql.conf"))
        try confHandle.seekToEnd()
        try confHandle.write(contentsOf: Data(conf.utf8))
        try confHandle.close()

        try cluster.startWatchdog()
        // The port is free when we look, but someone may take it before postgres binds: retry.
        var attempt = 0
        while true {
            attempt += 1
            let candidate = PostgresCluster(port: try LoopbackPort.closed(), user: user, password: password,
                                            directory: directory, bin: bin, runAs: runAs)
            do {
                try candidate.restart()
                ok = true
                register(candidate)
                return candidate
            } catch let error as PostgresClusterError where attempt < 5 && error.logTail.contains("Address already in use") {
                continue
            } catch {
                try? candidate.stop()  // e.g. a timeout: the server may come up later
                throw error
            }
        }
    }

    /// Starts the server again on the same port and data dir (after `stop()`); waits up to 30 s until it accepts connections.
    public func restart() throws {
        try serverCommand("pg_ctl", [
            "start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "30", "-o", "-p \(port)",
        ], timeout: 60)
    }

    /// Stops the server immediately (no shutdown checkpoint: like a crash or a failover); `restart()` recovers.
    public func stop() throws {
        try serverCommand("pg_ctl", ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30"], timeout: 60)
    }

    /// Stops the server (if running) and removes the temp dir. Safe to call twice.
    public func destroy() {
        Self.unregister(self)
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") { try? stop() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Databases and SQL

    /// Creates a new empty database named `<prefix>_<random>` and returns its name. `prefix`: letters, digits, `_`.
    public func createDatabase(prefix: String = "gk") throws -> String {
        let clean = String(prefix.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }.prefix(40))
        let name = (clean.isEmpty ? "gk" : clean) + "_" + Self.randomHex(8)
        _ = try psql("CREATE DATABASE \"\(name)\"", database: "postgres")
        return name
    }

    /// `postgres://gridkeeper:PASSWORD@127.0.0.1:PORT/DATABASE`, or without `:PASSWORD`.
    public func url(database: String, includePassword: Bool = true) -> String {
        "postgres://\(user)\(includePassword ? ":" + password : "")@127.0.0.1:\(port)/\(database)"
    }

    /// Runs `sql` with psql over TCP (127.0.0.1, with the cluster's password) and returns its output:
    /// unaligned, tuples only (`|` between columns, a line per row), surrounding whitespace trimmed.
    /// Stops at the first error (ON_ERROR_STOP) and throws.
    public func psql(_ sql: String, database: String) throws -> String {
        try psql(sql, database: database, password: password)
    }

    /// Like `psql(_:database:)` with an explicit password, or none at all (`nil`): for testing that auth is enforced.
    public func psql(_ sql: String, database: String, password: String?) throws -> String {
        var environment = ["PGCONNECT_TIMEOUT": "10", "PGSSLMODE": "disable", "PGPASSFILE": directory + "/no-pgpass", "PGCLIENTENCODING": "UTF8"]
        environment["PGPASSWORD"] = password
        let arguments = ["-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port),
                         "-U", user, "-d", database, "-c", sql]
        let result = try Self.runCommand(psqlPath, arguments, environment: environment, timeout: 60)
        guard result.status == 0 else {
            throw PostgresClusterError(message: "psql exited with \(result.status)", command: "psql -d \(database) -c \(sql)",
                                       output: result.stderr + result.stdout, logTail: logTail())
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The last `lines` lines of the server log.
    public func logTail(lines: Int = 20) -> String {
        guard let data = FileManager.default.contents(atPath: logFile) else { return "" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .suffix(lines).joined(separator: "\n")
    }

    // MARK: Internals

    /// Runs a server binary (initdb, pg_ctl) as the unprivileged user when we are root.
    private func serverCommand(_ tool: String, _ arguments: [String], timeout: TimeInterval) throws {
        let executable = runAs.first ?? (bin + "/" + tool)
        let fullArguments = runAs.isEmpty ? arguments : Array(runAs.dropFirst()) + [bin + "/" + tool] + arguments
        let result = try Self.runCommand(executable, fullArguments, environment: ["LC_ALL": "C"],
                                         currentDirectory: directory, timeout: timeout)
        guard result.status == 0 else {
            throw PostgresClusterError(message: "\(tool) exited with \(result.status)",
                                       command: ([bin + "/" + tool] + arguments).joined(separator: " "),
                                       output: result.stderr + result.stdout, logTail: logTail())
        }
    }

    /// A detached `sh` (own session, stdio on /dev/null) that waits for this process to go away, then stops
    /// the server and removes the dir. It exits by itself within ~1 s once `destroy()` has removed the dir.
    /// Paths are passed as positional parameters, never interpolated into the script.
    private func startWatchdog() throws {
        let script = """
            (
              parent=$1; dir=$2; shift 2
              alive() { kill -0 "$parent" 2>/dev/null && ! grep -q '^State:.*zombie' "/proc/$parent/status" 2>/dev/null; }
              while alive && [ -d "$dir" ]; do sleep 1; done
              if [ -d "$dir" ]; then "$@" stop -D "$dir/data" -m immediate -w -t 20; rm -rf "$dir"; fi
            ) </dev/null >/dev/null 2>&1 &
            """
        // The outer sh exits at once (so we can reap it); the subshell lives on, reparented to init.
        let arguments = ["-c", script, "gridkeeper-pg-watchdog", String(getpid()), directory] + runAs + [bin + "/pg_ctl"]
        let result = try Self.runCommand("/bin/sh", arguments, environment: ["LC_ALL": "C"], currentDirectory: "/",
                                         timeout: 10, newSession: true)
        guard result.status == 0 else {
            throw PostgresClusterError(message: "cannot start the watchdog", command: "/bin/sh -c …", output: result.stderr)
        }
    }

    private struct CommandResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command with an argument array (no shell), stdin /dev/null, stdout/stderr captured to temp files,
    /// killed after `timeout`. Spawned with posix_spawn and every descriptor above 2 closed: Foundation's
    /// `Process` leaks a socket into the child that a daemon (postgres started by pg_ctl) would keep open,
    /// and `Process` then never reports the exit of pg_ctl.
    private static func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                                   currentDirectory: String? = nil, timeout: TimeInterval,
                                   newSession: Bool = false) throws -> CommandResult {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("gk-pg-cmd-" + randomHex(8))
        let outPath = base.path + ".out", errPath = base.path + ".err"
        let outFD = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errFD = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            if outFD >= 0 { close(outFD) }
            if errFD >= 0 { close(errFD) }
            unlink(outPath)
            unlink(errPath)
        }
        guard outFD >= 0, errFD >= 0 else {
            throw PostgresClusterError(message: "cannot create \(outPath): \(String(cString: strerror(errno)))")
        }
        let commandLine = ([executable] + arguments).joined(separator: " ")
        let pid = try spawn(executable, arguments, environment: childEnvironment(environment),
                            currentDirectory: currentDirectory, stdout: outFD, stderr: errFD, newSession: newSession)
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR {
                throw PostgresClusterError(message: "waitpid failed: \(String(cString: strerror(errno)))", command: commandLine)
            }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw PostgresClusterError(message: "timed out after \(Int(timeout)) s", command: commandLine,
                                           output: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
            }
            usleep(10_000)
        }
        // Exit code, or 128 + signal like a shell.
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let stdout = fm.contents(atPath: outPath) ?? Data(), stderr = fm.contents(atPath: errPath) ?? Data()
        return CommandResult(status: exitStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self))
    }

    private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String],
                              currentDirectory: String?, stdout: Int32, stderr: Int32, newSession: Bool) throws -> pid_t {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        if newSession { flags |= 0x0400 }  // POSIX_SPAWN_SETSID
        if let currentDirectory { posix_spawn_file_actions_addchdir_np(&actions, currentDirectory) }
        #else
        // glibc declares these only under _GNU_SOURCE, which Swift's Glibc module lacks: look them up.
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        let libc = dlopen(nil, RTLD_NOW)
        if let symbol = dlsym(libc, "posix_spawn_file_actions_addclosefrom_np") {  // glibc 2.34+
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        } else {
            let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
            for fd in open where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        if let currentDirectory, let symbol = dlsym(libc, "posix_spawn_file_actions_addchdir_np") {  // glibc 2.29+
            _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, currentDirectory)
        }
        if newSession { flags |= 0x80 }  // POSIX_SPAWN_SETSID (glibc 2.26+, musl)
        #endif
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else {
            throw PostgresClusterError(message: "cannot run \(executable): \(String(cString: strerror(code)))")
        }
        return pid
    }

    /// Our environment without PG* variables (PGHOST, PGPORT… would redirect the tools), plus `extra`.
    private static func childEnvironment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        environment.merge(extra) { $1 }
        return environment
    }

    private static func serverUserIDs() throws -> (uid_t, gid_t) {
        guard let entry = getpwnam("nobody") else { throw PostgresClusterError(message: "running as root, but user `nobody` does not exist") }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// `[setpriv, --reuid=…, --regid=…, --clear-groups, --]` (or runuser) when root, else `[]`.
    private static func privilegeDropPrefix() throws -> [String] {
        guard geteuid() == 0 else { return [] }
        let (uid, gid) = try serverUserIDs()
        let fm = FileManager.default
        if let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: fm.isExecutableFile(atPath:)) {
            return [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"]
        }
        if let runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first(where: fm.isExecutableFile(atPath:)) {
            return [runuser, "-u", "nobody", "--"]
        }
        throw PostgresClusterError(message: "running as root and neither setpriv nor runuser found to run postgres as `nobody`")
    }

    private static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    // MARK: Clean-up at exit

    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var clusters: [ObjectIdentifier: PostgresCluster] = [:]
        var hookInstalled = false
    }

    private static let registry = Registry()

    private static func register(_ cluster: PostgresCluster) {
        registry.lock.lock()
        defer { registry.lock.unlock() }
        registry.clusters[ObjectIdentifier(cluster)] = cluster
        if !registry.hookInstalled {
            registry.hookInstalled = true
            atexit { PostgresCluster.destroyAll() }
        }
    }

    private static func unregister(_ cluster: PostgresCluster) {
        registry.lock.lock()
        defer { registry.lock.unlock() }
        registry.clusters[ObjectIdentifier(cluster)] = nil
    }

    private static func destroyAll() {
        registry.lock.lock()
        let clusters = Array(registry.clusters.values)
        registry.lock.unlock()
        for cluster in clusters { cluster.destroy() }
    }
}

/// A failed cluster operation: what failed, the command line, its output and the tail of the server log.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public var message: String
    public var command: String = ""
    public var output: String = ""
    public var logTail: String = ""

    public var description: String {
        var text = "PostgresCluster: \(message)"
        if !command.isEmpty { text += "\n  command: \(command)" }
        let output = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if !output.isEmpty { text += "\n  output: \(output)" }
        let log = logTail.trimmingCharacters(in: .whitespacesAndNewlines)
        if !log.isEmpty { text += "\n  server log (tail):\n\(log)" }
        return text
    }
}

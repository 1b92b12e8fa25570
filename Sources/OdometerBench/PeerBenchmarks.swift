import OdometerService
import Foundation

/// (f) Peers: DuckDB and Polars `GROUP BY account, meter, period` over the same events, read
/// from an NDJSON file, when the Python packages are installed (`deploy/setup-peers.sh`, or
/// `pip install duckdb polars`). Their time covers reading and aggregating, not the
/// interpreter's start or the import; the best of `rounds` runs in one interpreter, as the
/// bench takes the best of its own in-memory runs.
enum PeerBenchmarks {
    struct Outcome {
        var eventsPerSecond: Double?
        var skipped: String?
    }

    /// The same meters as the workload: per (subject, type, month) the event count, the sum
    /// of tokens and of seconds, the maximum storage and the distinct users.
    static let script = #"""
import sys, time
path, engine, threads, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
try:
    if engine == "duckdb":
        import duckdb
    else:
        import polars as pl
except ImportError as error:
    print("skipped=" + str(error).replace("\n", " ") + "; pip install duckdb polars")
    sys.exit(0)
def aggregate():
    if engine == "duckdb":
        con = duckdb.connect()
        con.execute(f"SET threads TO {threads}")
        con.execute("SET enable_progress_bar = false")  # a query over 2 s would draw one on stdout
        rows = con.execute(f"""
            SELECT subject, type, substr(time, 1, 7) AS period, count(*) AS events,
                   sum(CAST(data.tokens AS DECIMAL(38, 12))) AS tokens,
                   sum(CAST(data.seconds AS DECIMAL(38, 12))) AS seconds,
                   max(CAST(data.gb AS DECIMAL(38, 12))) AS gb,
                   count(DISTINCT data."user") AS users
            FROM read_json('{path}', format = 'newline_delimited',
                 columns = {{subject: 'VARCHAR', type: 'VARCHAR', time: 'VARCHAR',
                             data: 'STRUCT(tokens BIGINT, model VARCHAR, seconds VARCHAR, region VARCHAR, gb BIGINT, "user" VARCHAR)'}})
            GROUP BY ALL""").fetchall()
        groups = len(rows)
    else:
        frame = pl.read_ndjson(path)
        data = frame.get_column("data").struct
        frame = frame.select(
            pl.col("subject"), pl.col("type"), pl.col("time").str.slice(0, 7).alias("period"),
            data.field("tokens").cast(pl.Decimal(38, 12)).alias("tokens"),
            data.field("seconds").cast(pl.Decimal(38, 12)).alias("seconds"),
            data.field("gb").cast(pl.Decimal(38, 12)).alias("gb"),
            data.field("user").alias("user"))
        result = frame.group_by(["subject", "type", "period"]).agg(
            pl.len().alias("events"), pl.col("tokens").sum(), pl.col("seconds").sum(), pl.col("gb").max(),
            pl.col("user").n_unique())
        groups = result.height
    return groups
best = None
for _ in range(rounds):
    started = time.perf_counter()
    groups = aggregate()
    elapsed = time.perf_counter() - started
    best = elapsed if best is None else min(best, elapsed)
print(f"seconds={best} groups={groups}")
"""#

    /// `ODOMETER_PEERS_PYTHON` if set, else the virtual environment `deploy/setup-peers.sh`
    /// makes (`ODOMETER_PEERS_VENV`, default `/opt/odometer-peers`) if it exists, else `python3`.
    static func interpreter(environment: [String: String] = ProcessInfo.processInfo.environment,
                            isExecutable: (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) }) -> String {
        if let python = environment["ODOMETER_PEERS_PYTHON"], !python.isEmpty { return python }
        let venv = environment["ODOMETER_PEERS_VENV"].flatMap { $0.isEmpty ? nil : $0 } ?? "/opt/odometer-peers"
        let python = venv + "/bin/python3"
        return isExecutable(python) ? python : "python3"
    }

    static func run(engine: String, ndjson: URL, events: Int, threads: Int, rounds: Int = 3) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter(), "-c", script, ndjson.path, engine, String(threads), String(rounds)]
        if engine == "polars" {
            process.environment = ProcessInfo.processInfo.environment.merging(["POLARS_MAX_THREADS": String(threads)]) { $1 }
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return Outcome(skipped: "python3 is not available: \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("skipped=") }) {
            return Outcome(skipped: String(line.dropFirst("skipped=".count)))
        }
        guard let field = text.split(separator: " ").first(where: { $0.hasPrefix("seconds=") }),
              let seconds = Double(field.dropFirst("seconds=".count)), seconds > 0 else {
            return Outcome(skipped: "\(engine) failed (exit \(process.terminationStatus))")
        }
        return Outcome(eventsPerSecond: Double(events) / seconds)
    }
}

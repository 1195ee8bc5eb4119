import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A throw-away PostgreSQL cluster on loopback, for tests and benchmarks: initdb into a temporary folder, pg_ctl start
 * on a free port, trust authentication for the user `postgres`. As root (CI), the binaries run as the `postgres` user,
 * since PostgreSQL refuses to run as root.
 */
export interface PostgresCluster {
  /** postgresql://postgres@127.0.0.1:PORT/postgres: the maintenance database, for CREATE DATABASE. */
  adminUrl: string;
  port: number;
  dataDir: string;
  /** Stops the server (fast shutdown: connections are cut) and keeps its data: the database "goes away". */
  pause(): void;
  /** Starts the paused server again on the same port with the same data. */
  resume(): void;
  /** Stops the server and removes its data. */
  stop(): void;
}

export interface ClusterOptions {
  /**
   * Durability off (fsync, synchronous_commit, full_page_writes): right for tests, whose data is thrown away.
   * Benchmarks keep PostgreSQL's defaults so the figures are a real server's.
   */
  fast?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

export const postgresBinDir = (): string => {
  const fromEnv = process.env.CAIRN_PG_BIN_DIR;
  if (fromEnv !== undefined && existsSync(path.join(fromEnv, "initdb"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(root, version, "bin");
    if (existsSync(path.join(dir, "initdb"))) return dir;
  }
  throw new Error(
    "PostgreSQL server binaries not found (initdb): install Debian's postgresql package (.ci/run does), " +
      "set CAIRN_PG_BIN_DIR, or point CAIRN_TEST_POSTGRES_URL at a server the tests may create databases on",
  );
};

const freePort = async (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

const asRoot = process.getuid?.() === 0;

const runAsPostgres = (command: string, args: string[]): void => {
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
};

export const startPostgresCluster = async (options: ClusterOptions = {}): Promise<PostgresCluster> => {
  const bin = postgresBinDir();
  const dataDir = mkdtempSync(path.join(tmpdir(), "cairn-pg-"));
  chmodSync(dataDir, 0o700);
  if (asRoot) execFileSync("chown", ["postgres:postgres", dataDir]);
  runAsPostgres(path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    max_connections: "400",
    ...(options.fast === true ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
    ...options.settings,
  };
  const serverOptions = [`-p ${port}`, `-k ${dataDir}`, ...Object.entries(settings).map(([key, value]) => `-c ${key}=${value}`)].join(" ");
  const start = (): void =>
    runAsPostgres(path.join(bin, "pg_ctl"), ["-D", dataDir, "-o", serverOptions, "-l", path.join(dataDir, "server.log"), "-w", "start"]);
  start();
  let stopped = false;
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    pause: () => runAsPostgres(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "fast", "-w", "stop"]),
    resume: start,
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        runAsPostgres(path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } catch {
        // Already stopped (paused): nothing to stop.
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
};

import Database from "better-sqlite3";
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import type { FileKey } from "./file-key.js";

/**
 * `.cairn/state.db`: what Cairn already knows about files on this machine, so unchanged files are not re-read.
 * - `hashes`: (inode, mtime µs, size) -> sha256 of a workspace file (or a cache object: a hardlinked workspace file
 *   shares its inode). Keyed by inode: a changed file replaces its own row, so the table grows with the number of
 *   distinct files seen, and is pruned of its oldest rows past MAX_ROWS.
 * - `verified`: a cache object whose bytes were checked to hash to its name, with the (inode, mtime, size) it had
 *   then; a changed object is checked again.
 * Local to the machine (inodes mean nothing elsewhere): ignored by git, never pushed.
 */
export type { FileKey } from "./file-key.js";

/** Rows kept at most per table; past it the oldest tenth goes (DVC keeps a similar bound). */
export const MAX_ROWS = 2_000_000;
/** Lookups from which reading the whole table may be cheaper than one query each. */
const BULK_MIN = 2000;
/** Verified objects buffered before one transaction writes them. */
const VERIFIED_BATCH = 10_000;

const SCHEMA_VERSION = 2;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS hashes (inode INTEGER PRIMARY KEY, mtime_us INTEGER NOT NULL, size INTEGER NOT NULL, hash TEXT NOT NULL, seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS hashes_seen ON hashes (seen);
CREATE TABLE IF NOT EXISTS verified (hash TEXT PRIMARY KEY, inode INTEGER NOT NULL, mtime_us INTEGER NOT NULL, size INTEGER NOT NULL, seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS verified_seen ON verified (seen);
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, hash TEXT NOT NULL, seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS dirs_seen ON dirs (seen);
CREATE TABLE IF NOT EXISTS complete (hash TEXT PRIMARY KEY, shards TEXT NOT NULL, seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS complete_seen ON complete (seen);
`;

/** SQLite integers are signed 64-bit; inodes are unsigned: a bigint inode is stored as the same 64 bits read as signed. */
const signed = (value: number | bigint): number | bigint => (typeof value === "bigint" ? BigInt.asIntN(64, value) : value);

export class StateDb {
  private readonly db: SqliteDatabase;
  private readonly getHash: Statement<[number | bigint, number, number], { hash: string }>;
  private readonly putHash: Statement<[number | bigint, number, number, string, number]>;
  private readonly getVerified: Statement<[string, number | bigint, number, number], { hash: string }>;
  private readonly putVerified: Statement<[string, number | bigint, number, number, number]>;
  private writes = 0;
  private pendingVerified: { hash: string; key: FileKey }[] = [];
  /** The whole hashes table, once a bulk lookup read it (numbers-only inodes). */
  private table: Map<number, [number, number, string]> | undefined;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 10000");
    // The state is a cache of what can be recomputed: a db of another layout is emptied, never migrated.
    if (this.db.pragma("user_version", { simple: true }) !== SCHEMA_VERSION) {
      this.db.exec(`DROP TABLE IF EXISTS hashes; DROP TABLE IF EXISTS verified; DROP TABLE IF EXISTS dirs; DROP TABLE IF EXISTS complete; ${SCHEMA} PRAGMA user_version = ${SCHEMA_VERSION};`);
    }
    this.getHash = this.db.prepare("SELECT hash FROM hashes WHERE inode = ? AND mtime_us = ? AND size = ?");
    this.putHash = this.db.prepare("INSERT OR REPLACE INTO hashes (inode, mtime_us, size, hash, seen) VALUES (?, ?, ?, ?, ?)");
    this.getVerified = this.db.prepare("SELECT hash FROM verified WHERE hash = ? AND inode = ? AND mtime_us = ? AND size = ?");
    this.putVerified = this.db.prepare("INSERT OR REPLACE INTO verified (hash, inode, mtime_us, size, seen) VALUES (?, ?, ?, ?, ?)");
  }

  /** The known hash of a file, when its inode, mtime and size are those recorded. */
  hashOf(key: FileKey): string | undefined {
    return this.getHash.get(signed(key.ino), key.mtimeUs, key.size)?.hash;
  }

  /**
   * Many lookups in one read transaction. When they are many and the table is not much larger (`cairn status` of a
   * big tracked folder), the whole table is read in one query into a map, which is several times cheaper than as
   * many indexed lookups; otherwise one prepared lookup per key.
   */
  hashesOf(keys: readonly FileKey[]): (string | undefined)[] {
    return this.db.transaction(() => {
      if (keys.length >= BULK_MIN) {
        const { n } = this.db.prepare("SELECT count(*) AS n FROM hashes").get() as { n: number };
        if (n <= keys.length * 4) return this.bulkHashesOf(keys);
      }
      return keys.map((key) => this.getHash.get(signed(key.ino), key.mtimeUs, key.size)?.hash);
    })();
  }

  private bulkHashesOf(keys: readonly FileKey[]): (string | undefined)[] {
    // Read once per open db (status of several big folders reads the table once), kept current by record().
    if (this.table === undefined) {
      const known = new Map<number, [number, number, string]>();
      // Inodes beyond 2^53 are not read as numbers (they would lose bits): those keys are looked up one by one.
      const rows = this.db
        .prepare(`SELECT inode, mtime_us, size, hash FROM hashes WHERE inode BETWEEN ${-Number.MAX_SAFE_INTEGER} AND ${Number.MAX_SAFE_INTEGER}`)
        .raw()
        .iterate() as IterableIterator<[number, number, number, string]>;
      for (const [inode, mtimeUs, size, hash] of rows) known.set(inode, [mtimeUs, size, hash]);
      this.table = known;
    }
    const known = this.table;
    return keys.map((key) => {
      if (typeof key.ino === "bigint") return this.getHash.get(signed(key.ino), key.mtimeUs, key.size)?.hash;
      const row = known.get(key.ino);
      return row !== undefined && row[0] === key.mtimeUs && row[1] === key.size ? row[2] : undefined;
    });
  }

  record(entries: readonly { key: FileKey; hash: string }[]): void {
    if (entries.length === 0) return;
    const now = Math.floor(Date.now() / 1000);
    this.db.transaction(() => {
      for (const { key, hash } of entries) this.putHash.run(signed(key.ino), key.mtimeUs, key.size, hash, now);
    })();
    if (this.table !== undefined) for (const { key, hash } of entries) if (typeof key.ino === "number") this.table.set(key.ino, [key.mtimeUs, key.size, hash]);
    this.afterWrites(entries.length);
  }

  isVerified(hash: string, key: FileKey): boolean {
    this.flushVerified();
    return this.getVerified.get(hash, signed(key.ino), key.mtimeUs, key.size) !== undefined;
  }

  /**
   * Remembers verified objects. Buffered (an add of 100,000 files stores as many objects: one transaction each would
   * dominate it) and written at the next verified lookup, past VERIFIED_BATCH, or at close; a row lost to a crash
   * only means one more check later.
   */
  markVerified(entries: readonly { hash: string; key: FileKey }[]): void {
    for (const entry of entries) this.pendingVerified.push(entry);
    if (this.pendingVerified.length >= VERIFIED_BATCH) this.flushVerified();
  }

  private flushVerified(): void {
    const entries = this.pendingVerified;
    if (entries.length === 0) return;
    this.pendingVerified = [];
    const now = Math.floor(Date.now() / 1000);
    this.db.transaction(() => {
      for (const { hash, key } of entries) this.putVerified.run(hash, signed(key.ino), key.mtimeUs, key.size, now);
    })();
    this.afterWrites(entries.length);
  }

  /** A folder's hash, when its metadata fingerprint is the one recorded with it (see scan-path.ts). */
  dirHashOf(path: string, fingerprint: string): string | undefined {
    return (this.db.prepare("SELECT hash FROM dirs WHERE path = ? AND fingerprint = ?").get(path, fingerprint) as { hash: string } | undefined)?.hash;
  }

  /** One row per workspace folder path: a folder that changes replaces its row. */
  recordDir(path: string, fingerprint: string, hash: string): void {
    this.db.prepare("INSERT OR REPLACE INTO dirs (path, fingerprint, hash, seen) VALUES (?, ?, ?, ?)").run(path, fingerprint, hash, Math.floor(Date.now() / 1000));
    this.afterWrites(1);
  }

  /**
   * Whether every object of the folder version `hash` was found in the cache while the cache's shard folders had
   * the metadata `shards` (an object removed or added changes its shard folder's mtime, so a match means none was).
   */
  isComplete(hash: string, shards: string): boolean {
    return this.db.prepare("SELECT 1 FROM complete WHERE hash = ? AND shards = ?").get(hash, shards) !== undefined;
  }

  markComplete(hash: string, shards: string): void {
    this.db.prepare("INSERT OR REPLACE INTO complete (hash, shards, seen) VALUES (?, ?, ?)").run(hash, shards, Math.floor(Date.now() / 1000));
    this.afterWrites(1);
  }

  /** Rows per table, for tests and the bounded-growth check. */
  counts(): { hashes: number; verified: number; dirs: number; complete: number } {
    this.flushVerified();
    const count = (table: string): number => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { hashes: count("hashes"), verified: count("verified"), dirs: count("dirs"), complete: count("complete") };
  }

  /** Keeps each table under `maxRows` by dropping its least recently recorded tenth. */
  prune(maxRows: number = MAX_ROWS): void {
    this.table = undefined;
    for (const table of ["hashes", "verified", "dirs", "complete"]) {
      const { n } = this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
      if (n <= maxRows) continue;
      const excess = n - maxRows + Math.ceil(maxRows / 10);
      this.db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} ORDER BY seen LIMIT ?)`).run(excess);
    }
  }

  close(): void {
    if (!this.db.open) return;
    this.flushVerified();
    this.db.close();
  }

  /** Pruning costs a count: done every 100,000 rows written, not on every write. */
  private afterWrites(n: number): void {
    this.writes += n;
    if (this.writes >= 100_000) {
      this.writes = 0;
      this.prune();
    }
  }
}

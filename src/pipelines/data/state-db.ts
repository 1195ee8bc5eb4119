import Database from "better-sqlite3";
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";

/**
 * `.cairn/state.db`: what Cairn already knows about files on this machine, so unchanged files are not re-read.
 * - `hashes`: (inode, mtime ns, size) -> sha256 of a workspace file (or a cache object: a hardlinked workspace file
 *   shares its inode). Keyed by inode: a changed file replaces its own row, so the table grows with the number of
 *   distinct files seen, and is pruned of its oldest rows past MAX_ROWS.
 * - `verified`: a cache object whose bytes were checked to hash to its name, with the (inode, mtime, size) it had
 *   then; a changed object is checked again.
 * Local to the machine (inodes mean nothing elsewhere): ignored by git, never pushed.
 */
export interface FileKey {
  ino: bigint;
  mtimeNs: bigint;
  size: number;
}

/** Rows kept at most per table; past it the oldest tenth goes (DVC keeps a similar bound). */
export const MAX_ROWS = 2_000_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hashes (inode INTEGER PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, hash TEXT NOT NULL, seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS hashes_seen ON hashes (seen);
CREATE TABLE IF NOT EXISTS verified (hash TEXT PRIMARY KEY, inode INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS verified_seen ON verified (seen);
`;

/** SQLite integers are signed 64-bit; inodes are unsigned: the same 64 bits, read as signed. */
const signed = (value: bigint): bigint => BigInt.asIntN(64, value);

export class StateDb {
  private readonly db: SqliteDatabase;
  private readonly getHash: Statement<[bigint, bigint, number], { hash: string }>;
  private readonly putHash: Statement<[bigint, bigint, number, string, number]>;
  private readonly getVerified: Statement<[string, bigint, bigint, number], { hash: string }>;
  private readonly putVerified: Statement<[string, bigint, bigint, number, number]>;
  private writes = 0;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 10000");
    this.db.exec(SCHEMA);
    this.getHash = this.db.prepare("SELECT hash FROM hashes WHERE inode = ? AND mtime_ns = ? AND size = ?");
    this.putHash = this.db.prepare("INSERT OR REPLACE INTO hashes (inode, mtime_ns, size, hash, seen) VALUES (?, ?, ?, ?, ?)");
    this.getVerified = this.db.prepare("SELECT hash FROM verified WHERE hash = ? AND inode = ? AND mtime_ns = ? AND size = ?");
    this.putVerified = this.db.prepare("INSERT OR REPLACE INTO verified (hash, inode, mtime_ns, size, seen) VALUES (?, ?, ?, ?, ?)");
  }

  /** The known hash of a file, when its inode, mtime and size are those recorded. */
  hashOf(key: FileKey): string | undefined {
    return this.getHash.get(signed(key.ino), key.mtimeNs, key.size)?.hash;
  }

  /** Many lookups in one read transaction (one snapshot, no per-statement lock round trips). */
  hashesOf(keys: readonly FileKey[]): (string | undefined)[] {
    return this.db.transaction(() => keys.map((key) => this.getHash.get(signed(key.ino), key.mtimeNs, key.size)?.hash))();
  }

  record(entries: readonly { key: FileKey; hash: string }[]): void {
    if (entries.length === 0) return;
    const now = Math.floor(Date.now() / 1000);
    this.db.transaction(() => {
      for (const { key, hash } of entries) this.putHash.run(signed(key.ino), key.mtimeNs, key.size, hash, now);
    })();
    this.afterWrites(entries.length);
  }

  isVerified(hash: string, key: FileKey): boolean {
    return this.getVerified.get(hash, signed(key.ino), key.mtimeNs, key.size) !== undefined;
  }

  markVerified(entries: readonly { hash: string; key: FileKey }[]): void {
    if (entries.length === 0) return;
    const now = Math.floor(Date.now() / 1000);
    this.db.transaction(() => {
      for (const { hash, key } of entries) this.putVerified.run(hash, signed(key.ino), key.mtimeNs, key.size, now);
    })();
    this.afterWrites(entries.length);
  }

  /** Rows per table, for tests and the bounded-growth check. */
  counts(): { hashes: number; verified: number } {
    const count = (table: string): number => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { hashes: count("hashes"), verified: count("verified") };
  }

  /** Keeps each table under `maxRows` by dropping its least recently recorded tenth. */
  prune(maxRows: number = MAX_ROWS): void {
    for (const table of ["hashes", "verified"]) {
      const { n } = this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
      if (n <= maxRows) continue;
      const excess = n - maxRows + Math.ceil(maxRows / 10);
      this.db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} ORDER BY seen LIMIT ?)`).run(excess);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
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

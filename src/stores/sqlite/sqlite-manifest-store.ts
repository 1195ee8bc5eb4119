import type { Database } from "better-sqlite3";
import type { FileDigest, FileManifest } from "../../registry/integrity/file-manifest.js";
import {
  MAX_PINNING_VERSIONS,
  type ManifestOrigin,
  type ManifestStore,
  type PinningVersion,
  type RecordedFile,
  type VersionManifest,
} from "../../registry/integrity/manifest-store.js";
import { SqliteConnection } from "./statement-cache.js";

interface ManifestRow {
  version_key: number;
  name: string;
  version: number;
  root_key: string;
  root_is_file: number;
  origin: ManifestOrigin;
  recorded_time: number;
}

const MANIFEST_SQL = `
  SELECT m.version_key, v.name, v.version, m.root_key, m.root_is_file, m.origin, m.recorded_time
  FROM model_version_manifests m JOIN model_versions v ON v.version_key = m.version_key`;

/** The keys at and above `key` ("a/b/c" -> "a/b/c", "a/b", "a", ""): the roots that may hold it. */
const selfAndAncestors = (key: string): string[] => {
  const keys = [key];
  for (let slash = key.lastIndexOf("/"); slash > 0; slash = key.lastIndexOf("/", slash - 1)) keys.push(key.slice(0, slash));
  if (key !== "") keys.push("");
  return keys;
};

/** Manifests in the shared SQLite database; see ManifestStore. */
export class SqliteManifestStore implements ManifestStore {
  private readonly conn: SqliteConnection;

  constructor(db: Database) {
    this.conn = new SqliteConnection(db);
  }

  async record(
    name: string,
    version: string,
    manifest: FileManifest,
    origin: ManifestOrigin,
    now: number,
  ): Promise<{ manifest: VersionManifest; created: boolean } | undefined> {
    return this.conn.write(() => {
      const found = this.conn.stmt("SELECT version_key FROM model_versions WHERE name = ? AND version = ?").get(name, Number(version)) as
        | { version_key: number }
        | undefined;
      if (found === undefined) return undefined;
      const inserted = this.conn
        .stmt("INSERT OR IGNORE INTO model_version_manifests (version_key, root_key, root_is_file, origin, recorded_time) VALUES (?, ?, ?, ?, ?)")
        .run(found.version_key, manifest.rootKey, manifest.rootIsFile ? 1 : 0, origin, now);
      if (inserted.changes > 0) {
        const insertFile = this.conn.stmt("INSERT INTO model_version_files (version_key, path, size, sha256) VALUES (?, ?, ?, ?)");
        for (const file of manifest.files) insertFile.run(found.version_key, file.path, file.size, file.sha256);
      }
      const stored = this.load(this.conn.stmt(`${MANIFEST_SQL} WHERE m.version_key = ?`).get(found.version_key) as ManifestRow);
      return { manifest: stored, created: inserted.changes > 0 };
    });
  }

  async get(name: string, version: string): Promise<VersionManifest | undefined> {
    return this.conn.read(() => {
      const row = this.conn.stmt(`${MANIFEST_SQL} WHERE v.name = ? AND v.version = ?`).get(name, Number(version)) as ManifestRow | undefined;
      return row === undefined ? undefined : this.load(row);
    });
  }

  async recordedFilesAt(key: string): Promise<RecordedFile[]> {
    const found: RecordedFile[] = [];
    const statement = this.conn.stmt(`
      SELECT v.name, v.version, m.root_key, f.path, f.size, f.sha256
      FROM model_version_manifests m
      JOIN model_version_files f ON f.version_key = m.version_key
      JOIN model_versions v ON v.version_key = m.version_key
      WHERE m.root_key = ? AND f.path = ?`);
    for (const root of selfAndAncestors(key)) {
      const path = root === key ? "" : root === "" ? key : key.slice(root.length + 1);
      const rows = statement.all(root, path) as { name: string; version: number; root_key: string; path: string; size: number; sha256: string }[];
      for (const row of rows) {
        found.push({ name: row.name, version: String(row.version), rootKey: row.root_key, file: { path: row.path, size: row.size, sha256: row.sha256 } });
      }
    }
    return found;
  }

  async pinning(key: string, options: { below: boolean }): Promise<PinningVersion[]> {
    const rows: { name: string; version: number; root_key: string }[] = [];
    const byRoot = this.conn.stmt(`
      SELECT v.name, v.version, m.root_key FROM model_version_manifests m JOIN model_versions v ON v.version_key = m.version_key
      WHERE m.root_key = ? LIMIT ?`);
    for (const root of selfAndAncestors(key)) rows.push(...(byRoot.all(root, MAX_PINNING_VERSIONS) as typeof rows));
    if (options.below) {
      // Keys below "a/b" sort from "a/b/" up to (not including) "a/b0": '/' and '0' are neighbours in byte order.
      const [from, to] = key === "" ? ["", "\u{10ffff}"] : [`${key}/`, `${key}0`];
      rows.push(
        ...(this.conn
          .stmt(`
            SELECT v.name, v.version, m.root_key FROM model_version_manifests m JOIN model_versions v ON v.version_key = m.version_key
            WHERE m.root_key >= ? AND m.root_key < ? AND m.root_key <> '' LIMIT ?`)
          .all(from, to, MAX_PINNING_VERSIONS) as typeof rows),
      );
    }
    return rows.slice(0, MAX_PINNING_VERSIONS).map((row) => ({ name: row.name, version: String(row.version), rootKey: row.root_key }));
  }

  private load(row: ManifestRow): VersionManifest {
    const files = this.conn.stmt("SELECT path, size, sha256 FROM model_version_files WHERE version_key = ? ORDER BY path").all(row.version_key) as FileDigest[];
    return {
      name: row.name,
      version: String(row.version),
      rootKey: row.root_key,
      rootIsFile: row.root_is_file === 1,
      origin: row.origin,
      recordedTime: row.recorded_time,
      files,
    };
  }
}

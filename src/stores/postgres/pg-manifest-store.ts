import type { FileDigest, FileManifest } from "../../registry/integrity/file-manifest.js";
import {
  MAX_PINNING_VERSIONS,
  type ManifestOrigin,
  type ManifestStore,
  type PinningVersion,
  type RecordedFile,
  type VersionManifest,
} from "../../registry/integrity/manifest-store.js";
import { parseVersionNumber } from "../sql/registry-rows.js";
import type { PgDatabase } from "./pg-database.js";

interface ManifestRow {
  version_key: number;
  name: string;
  version: number;
  root_key: string;
  root_is_file: number;
  origin: ManifestOrigin;
  recorded_time: number;
  files: FileDigest[];
}

/** A manifest with its files (as JSON, ordered by path): one statement, one snapshot. */
const MANIFEST_SQL = `
  SELECT m.version_key, v.name, v.version, m.root_key, m.root_is_file, m.origin, m.recorded_time,
    COALESCE((SELECT json_agg(json_build_object('path', f.path, 'size', f.size, 'sha256', f.sha256) ORDER BY f.path)
      FROM model_version_files f WHERE f.version_key = m.version_key), '[]'::json) AS files
  FROM model_version_manifests m JOIN model_versions v ON v.version_key = m.version_key`;

/** The keys at and above `key` ("a/b/c" -> "a/b/c", "a/b", "a", ""): the roots that may hold it. */
const selfAndAncestors = (key: string): string[] => {
  const keys = [key];
  for (let slash = key.lastIndexOf("/"); slash > 0; slash = key.lastIndexOf("/", slash - 1)) keys.push(key.slice(0, slash));
  if (key !== "") keys.push("");
  return keys;
};

const toManifest = (row: ManifestRow): VersionManifest => ({
  name: row.name,
  version: String(row.version),
  rootKey: row.root_key,
  rootIsFile: row.root_is_file === 1,
  origin: row.origin,
  recordedTime: row.recorded_time,
  files: row.files,
});

/**
 * Manifests on PostgreSQL; see ManifestStore. A manifest is written once (the first recording wins): ON CONFLICT
 * DO NOTHING on the version's key decides between two processes recording at once, and only the winner writes files.
 */
export class PgManifestStore implements ManifestStore {
  constructor(private readonly db: PgDatabase) {}

  async record(
    name: string,
    version: string,
    manifest: FileManifest,
    origin: ManifestOrigin,
    now: number,
  ): Promise<{ manifest: VersionManifest; created: boolean } | undefined> {
    const number = parseVersionNumber(version);
    if (number === undefined) return undefined;
    return this.db.transaction(async () => {
      const found = await this.db.one<{ version_key: number }>("SELECT version_key FROM model_versions WHERE name = $1 AND version = $2", [name, number]);
      if (found === undefined) return undefined;
      const inserted = await this.db.execute(
        "INSERT INTO model_version_manifests (version_key, root_key, root_is_file, origin, recorded_time) VALUES ($1, $2, $3, $4, $5) " +
          "ON CONFLICT (version_key) DO NOTHING",
        [found.version_key, manifest.rootKey, manifest.rootIsFile ? 1 : 0, origin, now],
      );
      if (inserted > 0 && manifest.files.length > 0) {
        // One statement for the whole file list (a model may hold thousands of files).
        await this.db.query(
          "INSERT INTO model_version_files (version_key, path, size, sha256) " +
            "SELECT $1, f.path, f.size, f.sha256 FROM unnest($2::text[], $3::bigint[], $4::text[]) AS f (path, size, sha256)",
          [found.version_key, manifest.files.map((file) => file.path), manifest.files.map((file) => file.size), manifest.files.map((file) => file.sha256)],
        );
      }
      const stored = await this.db.one<ManifestRow>(`${MANIFEST_SQL} WHERE m.version_key = $1`, [found.version_key]);
      if (stored === undefined) throw new Error("a recorded manifest vanished inside its transaction");
      return { manifest: toManifest(stored), created: inserted > 0 };
    });
  }

  async get(name: string, version: string): Promise<VersionManifest | undefined> {
    const number = parseVersionNumber(version);
    if (number === undefined) return undefined;
    const row = await this.db.one<ManifestRow>(`${MANIFEST_SQL} WHERE v.name = $1 AND v.version = $2`, [name, number]);
    return row === undefined ? undefined : toManifest(row);
  }

  /** Every (root, path) pair that can name `key`, probed in one statement over the (version_key, path) key. */
  async recordedFilesAt(key: string): Promise<RecordedFile[]> {
    const roots = selfAndAncestors(key);
    const paths = roots.map((root) => (root === key ? "" : root === "" ? key : key.slice(root.length + 1)));
    const rows = await this.db.query<{ name: string; version: number; root_key: string; path: string; size: number; sha256: string }>(
      `SELECT v.name, v.version, m.root_key, f.path, f.size, f.sha256
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p (root_key, path, n)
       JOIN model_version_manifests m ON m.root_key = p.root_key
       JOIN model_version_files f ON f.version_key = m.version_key AND f.path = p.path
       JOIN model_versions v ON v.version_key = m.version_key
       ORDER BY p.n, v.version_key`,
      [roots, paths],
    );
    return rows.map((row) => ({
      name: row.name,
      version: String(row.version),
      rootKey: row.root_key,
      file: { path: row.path, size: row.size, sha256: row.sha256 },
    }));
  }

  async pinning(key: string, options: { below: boolean }): Promise<PinningVersion[]> {
    const rows: { name: string; version: number; root_key: string }[] = [];
    for (const root of selfAndAncestors(key)) {
      rows.push(
        ...(await this.db.query<{ name: string; version: number; root_key: string }>(
          `SELECT v.name, v.version, m.root_key FROM model_version_manifests m JOIN model_versions v ON v.version_key = m.version_key
           WHERE m.root_key = $1 LIMIT $2`,
          [root, MAX_PINNING_VERSIONS],
        )),
      );
      if (rows.length >= MAX_PINNING_VERSIONS) break;
    }
    if (options.below && rows.length < MAX_PINNING_VERSIONS) {
      // Keys below "a/b" sort from "a/b/" up to (not including) "a/b0": '/' and '0' are neighbours in byte order
      // (root_key is COLLATE "C", so the range is bytewise as on SQLite).
      const [from, to] = key === "" ? ["", "\u{10ffff}"] : [`${key}/`, `${key}0`];
      rows.push(
        ...(await this.db.query<{ name: string; version: number; root_key: string }>(
          `SELECT v.name, v.version, m.root_key FROM model_version_manifests m JOIN model_versions v ON v.version_key = m.version_key
           WHERE m.root_key >= $1 AND m.root_key < $2 AND m.root_key <> '' LIMIT $3`,
          [from, to, MAX_PINNING_VERSIONS],
        )),
      );
    }
    return rows.slice(0, MAX_PINNING_VERSIONS).map((row) => ({ name: row.name, version: String(row.version), rootKey: row.root_key }));
  }
}

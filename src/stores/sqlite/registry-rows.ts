import type { SqliteConnection } from "./statement-cache.js";
import { modelNotFound, parseVersionNumber, versionNotFound } from "../sql/registry-rows.js";

/** SQLite key lookups of the registry store; the row shapes and errors are shared (../sql/registry-rows.ts). */
export * from "../sql/registry-rows.js";

export const modelKeyOf = (conn: SqliteConnection, name: string): number | undefined =>
  (conn.stmt("SELECT model_key FROM registered_models WHERE name = ?").get(name) as { model_key: number } | undefined)
    ?.model_key;

export const requireModelKey = (conn: SqliteConnection, name: string): number => {
  const key = modelKeyOf(conn, name);
  if (key === undefined) throw modelNotFound(name);
  return key;
};

export interface VersionKeys {
  versionKey: number;
  modelKey: number;
  version: number;
}

export const versionKeysOf = (conn: SqliteConnection, name: string, version: string): VersionKeys | undefined => {
  const number = parseVersionNumber(version);
  if (number === undefined) return undefined;
  const row = conn
    .stmt(
      "SELECT version_key, model_key FROM model_versions WHERE name = ? AND version = ?",
    )
    .get(name, number) as { version_key: number; model_key: number } | undefined;
  return row === undefined ? undefined : { versionKey: row.version_key, modelKey: row.model_key, version: number };
};

export const requireVersionKeys = (conn: SqliteConnection, name: string, version: string): VersionKeys => {
  const keys = versionKeysOf(conn, name, version);
  if (keys === undefined) throw versionNotFound(name, version);
  return keys;
};

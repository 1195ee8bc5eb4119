import type { ModelVersion, RegisteredModel, RegisteredModelAlias, RegisteredModelTag } from "../../protocol/mlflow/registry-entities.js";
import {
  MODEL_VERSION_COLUMNS,
  type ModelVersionRow,
  REGISTERED_MODEL_COLUMNS,
  type RegisteredModelRow,
  toModelVersion,
} from "./registry-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/**
 * Loads whole registry entities for a list of keys with a fixed number of queries (one per child table), whatever
 * the page size: a search page of 100 models costs five queries, not five hundred. Keys travel as one JSON array.
 * Callers run these inside a read transaction so that the entity and its children come from one snapshot.
 */

const groupBy = <R, V>(rows: readonly R[], keyOf: (row: R) => number, valueOf: (row: R) => V): Map<number, V[]> => {
  const groups = new Map<number, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [valueOf(row)]);
    else list.push(valueOf(row));
  }
  return groups;
};

/** Versions in the order of `versionKeys` (unknown keys are skipped), each with its tags and aliases. */
export const loadModelVersions = (conn: SqliteConnection, versionKeys: readonly number[]): ModelVersion[] => {
  if (versionKeys.length === 0) return [];
  const json = JSON.stringify(versionKeys);
  const rows = conn
    .stmt(
      `SELECT ${MODEL_VERSION_COLUMNS} FROM model_versions v WHERE v.version_key IN (SELECT value FROM json_each(?))`,
    )
    .all(json) as ModelVersionRow[];
  const tags = groupBy(
    conn
      .stmt(
        "SELECT version_key, key, value FROM model_version_tags WHERE version_key IN (SELECT value FROM json_each(?)) " +
          "ORDER BY version_key, key",
      )
      .all(json) as { version_key: number; key: string; value: string }[],
    (row) => row.version_key,
    (row): RegisteredModelTag => ({ key: row.key, value: row.value }),
  );
  const aliases = groupBy(
    conn
      .stmt(
        "SELECT version_key, alias FROM registered_model_aliases WHERE version_key IN (SELECT value FROM json_each(?)) " +
          "ORDER BY version_key, alias",
      )
      .all(json) as { version_key: number; alias: string }[],
    (row) => row.version_key,
    (row) => row.alias,
  );
  const byKey = new Map(rows.map((row) => [row.version_key, row]));
  return versionKeys.flatMap((key) => {
    const row = byKey.get(key);
    return row === undefined ? [] : [toModelVersion(row, tags.get(key) ?? [], aliases.get(key) ?? [])];
  });
};

/**
 * latest_versions as MLflow builds them: per stage the highest version, the stages in the order in which the model's
 * versions (ascending) first reach them, i.e. ordered by the lowest version number currently in each stage.
 */
const loadLatestVersions = (conn: SqliteConnection, json: string): Map<number, ModelVersion[]> => {
  const latest = conn
    .stmt(
      "SELECT l.model_key, v.version_key FROM (" +
        "SELECT model_key, current_stage, MAX(version) AS latest, MIN(version) AS first FROM model_versions " +
        "WHERE model_key IN (SELECT value FROM json_each(?)) GROUP BY model_key, current_stage" +
        ") l JOIN model_versions v ON v.model_key = l.model_key AND v.version = l.latest ORDER BY l.model_key, l.first",
    )
    .all(json) as { model_key: number; version_key: number }[];
  const versions = loadModelVersions(
    conn,
    latest.map((row) => row.version_key),
  );
  const byKey = new Map<number, ModelVersion>();
  latest.forEach((row, index) => {
    const version = versions[index];
    if (version !== undefined) byKey.set(row.version_key, version);
  });
  return groupBy(
    latest.filter((row) => byKey.has(row.version_key)),
    (row) => row.model_key,
    (row) => byKey.get(row.version_key) as ModelVersion,
  );
};

/** Models in the order of `modelKeys`, each with latest_versions, tags and aliases. */
export const loadRegisteredModels = (conn: SqliteConnection, modelKeys: readonly number[]): RegisteredModel[] => {
  if (modelKeys.length === 0) return [];
  const json = JSON.stringify(modelKeys);
  const rows = conn
    .stmt(`SELECT ${REGISTERED_MODEL_COLUMNS} FROM registered_models m WHERE m.model_key IN (SELECT value FROM json_each(?))`)
    .all(json) as RegisteredModelRow[];
  const tags = groupBy(
    conn
      .stmt(
        "SELECT model_key, key, value FROM registered_model_tags WHERE model_key IN (SELECT value FROM json_each(?)) " +
          "ORDER BY model_key, key",
      )
      .all(json) as { model_key: number; key: string; value: string }[],
    (row) => row.model_key,
    (row): RegisteredModelTag => ({ key: row.key, value: row.value }),
  );
  const aliases = groupBy(
    conn
      .stmt(
        "SELECT a.model_key, a.alias, v.version FROM registered_model_aliases a " +
          "JOIN model_versions v ON v.version_key = a.version_key " +
          "WHERE a.model_key IN (SELECT value FROM json_each(?)) ORDER BY a.model_key, a.alias",
      )
      .all(json) as { model_key: number; alias: string; version: number }[],
    (row) => row.model_key,
    (row): RegisteredModelAlias => ({ alias: row.alias, version: String(row.version) }),
  );
  const latest = loadLatestVersions(conn, json);
  const byKey = new Map(rows.map((row) => [row.model_key, row]));
  return modelKeys.flatMap((key) => {
    const row = byKey.get(key);
    if (row === undefined) return [];
    const model: RegisteredModel = {
      name: row.name,
      creation_timestamp: row.creation_time,
      last_updated_timestamp: row.last_updated_time,
      latest_versions: latest.get(key) ?? [],
      tags: tags.get(key) ?? [],
      aliases: aliases.get(key) ?? [],
    };
    if (row.user_id !== null) model.user_id = row.user_id;
    if (row.description !== null) model.description = row.description;
    return [model];
  });
};

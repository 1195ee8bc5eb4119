import { invalidParameter } from "../../core/errors.js";
import type { ModelStage, ModelVersion, ModelVersionTag } from "../../protocol/mlflow/registry-entities.js";
import type { NewModelVersion } from "../../registry/store.js";
import { loadModelVersions, loadRegisteredModels } from "./registry-loader.js";
import { requireModelKey, requireVersionKeys, versionKeysOf } from "./registry-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/** Model-version and alias writes and reads of the SQLite registry store (MLflow sqlalchemy registry semantics). */

/** The stages whose current holders archive_existing_versions may archive (MLflow's "active" stages). */
const ACTIVE_STAGES: readonly ModelStage[] = ["Staging", "Production"];

const UPSERT_TAG =
  "INSERT INTO model_version_tags (version_key, key, value) VALUES (?, ?, ?) " +
  "ON CONFLICT (version_key, key) DO UPDATE SET value = excluded.value";

const loadOne = (conn: SqliteConnection, versionKey: number): ModelVersion => {
  const version = loadModelVersions(conn, [versionKey])[0];
  if (version === undefined) throw new Error(`model version ${versionKey} vanished inside its transaction`);
  return version;
};

/**
 * The next number comes from the model's `last_version` counter, bumped in the same transaction (writers are
 * serialised by BEGIN IMMEDIATE): versions count 1, 2, 3... per model and a deleted number is never reused.
 * Creating a version stamps the model's last_updated_time, as MLflow does.
 */
export const createModelVersion = (conn: SqliteConnection, input: NewModelVersion): ModelVersion =>
  conn.write(() => {
    const modelKey = requireModelKey(conn, input.name);
    const { last_version: version } = conn
      .stmt(
        "UPDATE registered_models SET last_version = last_version + 1, last_updated_time = ? WHERE model_key = ? " +
          "RETURNING last_version",
      )
      .get(input.now, modelKey) as { last_version: number };
    const inserted = conn
      .stmt(
        "INSERT INTO model_versions (model_key, name, version, creation_time, last_updated_time, description, user_id, " +
          "current_stage, source, run_id, run_link, status, status_message, model_id) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, 'READY', NULL, ?)",
      )
      .run(
        modelKey,
        input.name,
        version,
        input.now,
        input.now,
        input.description ?? null,
        input.userId ?? null,
        input.source,
        input.runId ?? null,
        input.runLink ?? null,
        input.modelId ?? null,
      );
    const versionKey = Number(inserted.lastInsertRowid);
    const upsert = conn.stmt(UPSERT_TAG);
    for (const tag of input.tags) upsert.run(versionKey, tag.key, tag.value);
    return loadOne(conn, versionKey);
  });

export const getModelVersion = (conn: SqliteConnection, name: string, version: string): ModelVersion | undefined =>
  conn.read(() => {
    const keys = versionKeysOf(conn, name, version);
    return keys === undefined ? undefined : loadModelVersions(conn, [keys.versionKey])[0];
  });

/** Stamps the version only: MLflow's update_model_version leaves the model's last_updated_time alone. */
export const updateModelVersion = (
  conn: SqliteConnection,
  name: string,
  version: string,
  update: { description?: string },
  now: number,
): ModelVersion =>
  conn.write(() => {
    const { versionKey } = requireVersionKeys(conn, name, version);
    conn
      .stmt("UPDATE model_versions SET description = ?, last_updated_time = ? WHERE version_key = ?")
      .run(update.description ?? null, now, versionKey);
    return loadOne(conn, versionKey);
  });

/** Removes the version with its tags and aliases; with `now`, stamps the model's last_updated_time (MLflow). */
export const deleteModelVersion = (conn: SqliteConnection, name: string, version: string, now?: number): void => {
  conn.write(() => {
    const { versionKey, modelKey } = requireVersionKeys(conn, name, version);
    conn.stmt("DELETE FROM registered_model_aliases WHERE version_key = ?").run(versionKey);
    conn.stmt("DELETE FROM model_version_tags WHERE version_key = ?").run(versionKey);
    conn.stmt("DELETE FROM model_versions WHERE version_key = ?").run(versionKey);
    if (now !== undefined) {
      conn.stmt("UPDATE registered_models SET last_updated_time = ? WHERE model_key = ?").run(now, modelKey);
    }
  });
};

/**
 * MLflow's transition_model_version_stage: archive_existing_versions is refused for a non-active target stage;
 * otherwise the other versions in the target stage move to Archived, and the version, the archived versions and
 * the model are all stamped with `now`.
 */
export const transitionStage = (
  conn: SqliteConnection,
  name: string,
  version: string,
  stage: ModelStage,
  archiveExisting: boolean,
  now: number,
): ModelVersion => {
  if (archiveExisting && !ACTIVE_STAGES.includes(stage)) {
    throw invalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. ` +
        "Valid stages are ['Staging', 'Production']",
    );
  }
  return conn.write(() => {
    const { versionKey, modelKey } = requireVersionKeys(conn, name, version);
    if (archiveExisting) {
      conn
        .stmt(
          "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? " +
            "WHERE model_key = ? AND current_stage = ? AND version_key <> ?",
        )
        .run(now, modelKey, stage, versionKey);
    }
    conn
      .stmt("UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE version_key = ?")
      .run(stage, now, versionKey);
    conn.stmt("UPDATE registered_models SET last_updated_time = ? WHERE model_key = ?").run(now, modelKey);
    return loadOne(conn, versionKey);
  });
};

/** The model's latest_versions restricted to `stages` (all when empty), in latest_versions order (MLflow). */
export const getLatestVersions = (conn: SqliteConnection, name: string, stages: readonly ModelStage[]): ModelVersion[] =>
  conn.read(() => {
    const model = loadRegisteredModels(conn, [requireModelKey(conn, name)])[0];
    const latest = model?.latest_versions ?? [];
    return stages.length === 0 ? latest : latest.filter((version) => stages.includes(version.current_stage));
  });

/** Tags do not touch last_updated_time (MLflow). */
export const setModelVersionTag = (conn: SqliteConnection, name: string, version: string, tag: ModelVersionTag): void => {
  conn.write(() => {
    conn.stmt(UPSERT_TAG).run(requireVersionKeys(conn, name, version).versionKey, tag.key, tag.value);
  });
};

export const deleteModelVersionTag = (conn: SqliteConnection, name: string, version: string, key: string): void => {
  conn.write(() => {
    const { versionKey } = requireVersionKeys(conn, name, version);
    conn.stmt("DELETE FROM model_version_tags WHERE version_key = ? AND key = ?").run(versionKey, key);
  });
};

const aliasTarget = (conn: SqliteConnection, modelKey: number, alias: string): string | undefined => {
  const row = conn
    .stmt(
      "SELECT v.version FROM registered_model_aliases a JOIN model_versions v ON v.version_key = a.version_key " +
        "WHERE a.model_key = ? AND a.alias = ?",
    )
    .get(modelKey, alias) as { version: number } | undefined;
  return row === undefined ? undefined : String(row.version);
};

/**
 * The version must exist (MLflow reports a missing model as the missing version). Setting an alias that points
 * elsewhere moves it; timestamps are not touched (MLflow).
 */
export const setAlias = (
  conn: SqliteConnection,
  name: string,
  alias: string,
  version: string,
): { previousVersion?: string } =>
  conn.write(() => {
    const { versionKey, modelKey } = requireVersionKeys(conn, name, version);
    const previousVersion = aliasTarget(conn, modelKey, alias);
    conn
      .stmt(
        "INSERT INTO registered_model_aliases (model_key, alias, version_key) VALUES (?, ?, ?) " +
          "ON CONFLICT (model_key, alias) DO UPDATE SET version_key = excluded.version_key",
      )
      .run(modelKey, alias, versionKey);
    return previousVersion === undefined ? {} : { previousVersion };
  });

/** The model must exist; deleting an alias it does not have is a no-op (MLflow). */
export const deleteAlias = (conn: SqliteConnection, name: string, alias: string): { previousVersion?: string } =>
  conn.write(() => {
    const modelKey = requireModelKey(conn, name);
    const previousVersion = aliasTarget(conn, modelKey, alias);
    if (previousVersion === undefined) return {};
    conn.stmt("DELETE FROM registered_model_aliases WHERE model_key = ? AND alias = ?").run(modelKey, alias);
    return { previousVersion };
  });

export const getVersionByAlias = (conn: SqliteConnection, name: string, alias: string): ModelVersion | undefined =>
  conn.read(() => {
    const row = conn
      .stmt(
        "SELECT a.version_key FROM registered_model_aliases a JOIN registered_models m ON m.model_key = a.model_key " +
          "WHERE m.name = ? AND a.alias = ?",
      )
      .get(name, alias) as { version_key: number } | undefined;
    return row === undefined ? undefined : loadModelVersions(conn, [row.version_key])[0];
  });

/** Versions registered from any of `runIds`, ordered by model name, then version. */
export const findModelVersionsByRunIds = (conn: SqliteConnection, runIds: readonly string[]): ModelVersion[] => {
  if (runIds.length === 0) return [];
  return conn.read(() => {
    const keys = (
      conn
        .stmt(
          "SELECT version_key FROM model_versions WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY name, version",
        )
        .all(JSON.stringify(runIds)) as { version_key: number }[]
    ).map((row) => row.version_key);
    return loadModelVersions(conn, keys);
  });
};


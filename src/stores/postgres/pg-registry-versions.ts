import { invalidParameter } from "../../core/errors.js";
import type { ModelStage, ModelVersion, ModelVersionTag } from "../../protocol/mlflow/registry-entities.js";
import type { NewModelVersion } from "../../registry/store.js";
import { modelNotFound, parseVersionNumber, versionNotFound } from "../sql/registry-rows.js";
import type { PgDatabase } from "./pg-database.js";
import {
  fromVersionJson,
  loadModel,
  loadVersion,
  lockModelKey,
  lockVersionKeys,
  requireLoaded,
  VERSION_JSON,
  type VersionJson,
  versionKeysOf,
} from "./pg-registry-rows.js";

/** Model-version and alias writes and reads of the PostgreSQL registry store (MLflow sqlalchemy registry semantics). */

/** The stages whose current holders archive_existing_versions may archive (MLflow's "active" stages). */
const ACTIVE_STAGES: readonly ModelStage[] = ["Staging", "Production"];

const UPSERT_TAG =
  "INSERT INTO model_version_tags (version_key, key, value) VALUES ($1, $2, $3) " +
  "ON CONFLICT (version_key, key) DO UPDATE SET value = excluded.value";

/**
 * The next number comes from the model's `last_version` counter. The UPDATE takes the model row's lock and holds
 * it until commit; a concurrent creation (another server process) waits on it and, under READ COMMITTED, re-reads
 * the committed counter before adding one. Numbers are therefore unique and gapless per model across processes (a
 * rolled-back creation rolls its increment back too), and a deleted number is never reused. Creating a version
 * stamps the model's last_updated_time, as MLflow does.
 */
export const createModelVersion = async (db: PgDatabase, input: NewModelVersion): Promise<ModelVersion> =>
  db.transaction(async () => {
    const counter = await db.one<{ model_key: number; last_version: number }>(
      "UPDATE registered_models SET last_version = last_version + 1, last_updated_time = $1 WHERE name = $2 " +
        "RETURNING model_key, last_version",
      [input.now, input.name],
    );
    if (counter === undefined) throw modelNotFound(input.name);
    const inserted = await db.one<{ version_key: number }>(
      "INSERT INTO model_versions (model_key, name, version, creation_time, last_updated_time, description, user_id, " +
        "current_stage, source, run_id, run_link, status, status_message, model_id) " +
        "VALUES ($1, $2, $3, $4, $4, $5, $6, 'None', $7, $8, $9, 'READY', NULL, $10) RETURNING version_key",
      [
        counter.model_key,
        input.name,
        counter.last_version,
        input.now,
        input.description ?? null,
        input.userId ?? null,
        input.source,
        input.runId ?? null,
        input.runLink ?? null,
        input.modelId ?? null,
      ],
    );
    const versionKey = requireLoaded(inserted, "model version").version_key;
    for (const tag of input.tags) await db.query(UPSERT_TAG, [versionKey, tag.key, tag.value]);
    return requireLoaded(await loadVersion(db, versionKey), "model version");
  });

export const getModelVersion = async (db: PgDatabase, name: string, version: string): Promise<ModelVersion | undefined> => {
  const number = parseVersionNumber(version);
  if (number === undefined) return undefined;
  // Named (prepared once per connection), as the alias lookup below: planning the version's JSON cost more than reading it.
  const [row] = await db.queryPrepared<{ j: VersionJson }>("model_version_by_number", `SELECT ${VERSION_JSON} AS j FROM model_versions v WHERE v.name = $1 AND v.version = $2`, [
    name,
    number,
  ]);
  return row === undefined ? undefined : fromVersionJson(row.j);
};

/** Stamps the version only: MLflow's update_model_version leaves the model's last_updated_time alone. */
export const updateModelVersion = async (
  db: PgDatabase,
  name: string,
  version: string,
  update: { description?: string },
  now: number,
): Promise<ModelVersion> =>
  db.transaction(async () => {
    const number = parseVersionNumber(version);
    const row =
      number === undefined
        ? undefined
        : await db.one<{ version_key: number }>(
            "UPDATE model_versions SET description = $1, last_updated_time = $2 WHERE name = $3 AND version = $4 RETURNING version_key",
            [update.description ?? null, now, name, number],
          );
    if (row === undefined) throw versionNotFound(name, version);
    return requireLoaded(await loadVersion(db, row.version_key), "model version");
  });

/** Removes the version (its tags, aliases and manifest go by cascade); with `now`, stamps the model (MLflow). */
export const deleteModelVersion = async (db: PgDatabase, name: string, version: string, now?: number): Promise<void> => {
  await db.transaction(async () => {
    const { versionKey, modelKey } = await lockVersionKeys(db, name, version);
    await db.query("DELETE FROM model_versions WHERE version_key = $1", [versionKey]);
    if (now !== undefined) await db.query("UPDATE registered_models SET last_updated_time = $1 WHERE model_key = $2", [now, modelKey]);
  });
};

/**
 * MLflow's transition_model_version_stage: archive_existing_versions is refused for a non-active target stage;
 * otherwise the other versions in the target stage move to Archived, and the version, the archived versions and
 * the model are all stamped with `now`. The model's lock makes two concurrent transitions to one stage queue, so
 * that archive_existing leaves exactly one version in it.
 */
export const transitionStage = async (
  db: PgDatabase,
  name: string,
  version: string,
  stage: ModelStage,
  archiveExisting: boolean,
  now: number,
): Promise<ModelVersion> => {
  if (archiveExisting && !ACTIVE_STAGES.includes(stage)) {
    throw invalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. ` +
        "Valid stages are ['Staging', 'Production']",
    );
  }
  return db.transaction(async () => {
    const { versionKey, modelKey } = await lockVersionKeys(db, name, version);
    if (archiveExisting) {
      await db.query(
        "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = $1 " +
          "WHERE model_key = $2 AND current_stage = $3 AND version_key <> $4",
        [now, modelKey, stage, versionKey],
      );
    }
    await db.query("UPDATE model_versions SET current_stage = $1, last_updated_time = $2 WHERE version_key = $3", [stage, now, versionKey]);
    await db.query("UPDATE registered_models SET last_updated_time = $1 WHERE model_key = $2", [now, modelKey]);
    return requireLoaded(await loadVersion(db, versionKey), "model version");
  });
};

/** The model's latest_versions restricted to `stages` (all when empty), in latest_versions order (MLflow). */
export const getLatestVersions = async (db: PgDatabase, name: string, stages: readonly ModelStage[]): Promise<ModelVersion[]> => {
  const row = await db.one<{ model_key: number }>("SELECT model_key FROM registered_models WHERE name = $1", [name]);
  const model = row === undefined ? undefined : await loadModel(db, row.model_key);
  if (model === undefined) throw modelNotFound(name);
  return stages.length === 0 ? model.latest_versions : model.latest_versions.filter((version) => stages.includes(version.current_stage));
};

/** Tags do not touch last_updated_time (MLflow). */
export const setModelVersionTag = async (db: PgDatabase, name: string, version: string, tag: ModelVersionTag): Promise<void> => {
  const number = parseVersionNumber(version);
  const changed =
    number === undefined
      ? 0
      : await db.execute(
          "INSERT INTO model_version_tags (version_key, key, value) SELECT version_key, $3, $4 FROM model_versions " +
            "WHERE name = $1 AND version = $2 ON CONFLICT (version_key, key) DO UPDATE SET value = excluded.value",
          [name, number, tag.key, tag.value],
        );
  if (changed === 0) throw versionNotFound(name, version);
};

export const deleteModelVersionTag = async (db: PgDatabase, name: string, version: string, key: string): Promise<void> => {
  await db.transaction(async () => {
    const keys = await versionKeysOf(db, name, version);
    if (keys === undefined) throw versionNotFound(name, version);
    await db.query("DELETE FROM model_version_tags WHERE version_key = $1 AND key = $2", [keys.versionKey, key]);
  });
};

const aliasTarget = async (db: PgDatabase, modelKey: number, alias: string): Promise<string | undefined> => {
  const row = await db.one<{ version: number }>(
    "SELECT v.version FROM registered_model_aliases a JOIN model_versions v ON v.version_key = a.version_key " +
      "WHERE a.model_key = $1 AND a.alias = $2",
    [modelKey, alias],
  );
  return row === undefined ? undefined : String(row.version);
};

/**
 * The version must exist (MLflow reports a missing model as the missing version). Setting an alias that points
 * elsewhere moves it in one upsert; timestamps are not touched (MLflow). The model's lock makes the previous target
 * reported (to the audit trail and webhooks) the one this move replaced, even with concurrent moves from other processes.
 */
export const setAlias = async (db: PgDatabase, name: string, alias: string, version: string): Promise<{ previousVersion?: string }> =>
  db.transaction(async () => {
    const { versionKey, modelKey } = await lockVersionKeys(db, name, version);
    const previousVersion = await aliasTarget(db, modelKey, alias);
    await db.query(
      "INSERT INTO registered_model_aliases (model_key, alias, version_key) VALUES ($1, $2, $3) " +
        "ON CONFLICT (model_key, alias) DO UPDATE SET version_key = excluded.version_key",
      [modelKey, alias, versionKey],
    );
    return previousVersion === undefined ? {} : { previousVersion };
  });

/** The model must exist; deleting an alias it does not have is a no-op (MLflow). */
export const deleteAlias = async (db: PgDatabase, name: string, alias: string): Promise<{ previousVersion?: string }> =>
  db.transaction(async () => {
    const modelKey = await lockModelKey(db, name);
    const previousVersion = await aliasTarget(db, modelKey, alias);
    if (previousVersion === undefined) return {};
    await db.query("DELETE FROM registered_model_aliases WHERE model_key = $1 AND alias = $2", [modelKey, alias]);
    return { previousVersion };
  });

/** The hot read of serving and clients: one statement over the aliases' and the models' primary/unique keys. */
export const getVersionByAlias = async (db: PgDatabase, name: string, alias: string): Promise<ModelVersion | undefined> => {
  // Named: what serving and every `models:/name@alias` resolve, the registry's hottest read.
  const [row] = await db.queryPrepared<{ j: VersionJson }>(
    "model_version_by_alias",
    `SELECT ${VERSION_JSON} AS j FROM registered_models m
     JOIN registered_model_aliases ra ON ra.model_key = m.model_key AND ra.alias = $2
     JOIN model_versions v ON v.version_key = ra.version_key
     WHERE m.name = $1`,
    [name, alias],
  );
  return row === undefined ? undefined : fromVersionJson(row.j);
};

/** Versions registered from any of `runIds`, ordered by model name, then version. */
export const findModelVersionsByRunIds = async (db: PgDatabase, runIds: readonly string[]): Promise<ModelVersion[]> => {
  if (runIds.length === 0) return [];
  const rows = await db.query<{ j: VersionJson }>(
    `SELECT ${VERSION_JSON} AS j FROM model_versions v WHERE v.run_id = ANY($1::text[]) ORDER BY v.name, v.version`,
    [runIds],
  );
  return rows.map((row) => fromVersionJson(row.j));
};

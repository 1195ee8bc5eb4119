import type { ModelVersion, RegisteredModel, RegisteredModelAlias, RegisteredModelTag } from "../../protocol/mlflow/registry-entities.js";
import {
  modelNotFound,
  type ModelVersionRow,
  parseVersionNumber,
  type RegisteredModelRow,
  toModelVersion,
  versionNotFound,
} from "../sql/registry-rows.js";
import type { PgDatabase } from "./pg-database.js";

/**
 * Registry entities on PostgreSQL are read as one statement each: a version or a model row carries its tags,
 * aliases (and a model its latest_versions) as JSON built by correlated subqueries over the child tables' primary
 * keys. One statement is one snapshot, without a transaction's extra round trips (the hot reads, alias lookups and
 * searches, are one round trip each). BIGINTs inside JSON are plain numbers (all below 2^53).
 */

/** A model_versions row (alias `v`) as a JSON object: its columns, `tags` and `aliases`. */
export const VERSION_JSON = `json_build_object(
  'version_key', v.version_key, 'model_key', v.model_key, 'name', v.name, 'version', v.version,
  'creation_time', v.creation_time, 'last_updated_time', v.last_updated_time, 'description', v.description,
  'user_id', v.user_id, 'current_stage', v.current_stage, 'source', v.source, 'run_id', v.run_id,
  'run_link', v.run_link, 'status', v.status, 'status_message', v.status_message, 'model_id', v.model_id,
  'tags', COALESCE((SELECT json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key)
    FROM model_version_tags t WHERE t.version_key = v.version_key), '[]'::json),
  'aliases', COALESCE((SELECT json_agg(a.alias ORDER BY a.alias)
    FROM registered_model_aliases a WHERE a.version_key = v.version_key), '[]'::json))`;

/**
 * A registered_models row (alias `m`) as JSON: columns, tags, aliases and latest_versions as MLflow builds them
 * (per stage the highest version, stages ordered by the lowest version currently in each; see the SQLite loader).
 * The four stages are probed one by one (MIN and MAX on the (model_key, current_stage, version) index: eight index
 * probes), so loading a model costs the same with 10 or 100,000 versions.
 */
export const MODEL_JSON = `json_build_object(
  'model_key', m.model_key, 'name', m.name, 'creation_time', m.creation_time,
  'last_updated_time', m.last_updated_time, 'description', m.description, 'user_id', m.user_id,
  'tags', COALESCE((SELECT json_agg(json_build_object('key', t.key, 'value', t.value) ORDER BY t.key)
    FROM registered_model_tags t WHERE t.model_key = m.model_key), '[]'::json),
  'aliases', COALESCE((SELECT json_agg(json_build_object('alias', a.alias, 'version', a_v.version::text) ORDER BY a.alias)
    FROM registered_model_aliases a JOIN model_versions a_v ON a_v.version_key = a.version_key
    WHERE a.model_key = m.model_key), '[]'::json),
  'latest', COALESCE((SELECT json_agg(${VERSION_JSON} ORDER BY l.first)
    FROM (VALUES ('None'), ('Staging'), ('Production'), ('Archived')) AS s (stage)
    CROSS JOIN LATERAL (SELECT MAX(version) AS latest, MIN(version) AS first FROM model_versions
          WHERE model_key = m.model_key AND current_stage = s.stage) l
    JOIN model_versions v ON v.model_key = m.model_key AND v.version = l.latest), '[]'::json))`;

export interface VersionJson extends ModelVersionRow {
  tags: RegisteredModelTag[];
  aliases: string[];
}

export interface ModelJson extends RegisteredModelRow {
  tags: RegisteredModelTag[];
  aliases: RegisteredModelAlias[];
  latest: VersionJson[];
}

export const fromVersionJson = (json: VersionJson): ModelVersion => toModelVersion(json, json.tags, json.aliases);

export const fromModelJson = (json: ModelJson): RegisteredModel => {
  const model: RegisteredModel = {
    name: json.name,
    creation_timestamp: json.creation_time,
    last_updated_timestamp: json.last_updated_time,
    latest_versions: json.latest.map(fromVersionJson),
    tags: json.tags,
    aliases: json.aliases,
  };
  if (json.user_id !== null) model.user_id = json.user_id;
  if (json.description !== null) model.description = json.description;
  return model;
};

export const loadVersion = async (db: PgDatabase, versionKey: number): Promise<ModelVersion | undefined> => {
  const row = await db.one<{ j: VersionJson }>(`SELECT ${VERSION_JSON} AS j FROM model_versions v WHERE v.version_key = $1`, [versionKey]);
  return row === undefined ? undefined : fromVersionJson(row.j);
};

export const loadModel = async (db: PgDatabase, modelKey: number): Promise<RegisteredModel | undefined> => {
  const row = await db.one<{ j: ModelJson }>(`SELECT ${MODEL_JSON} AS j FROM registered_models m WHERE m.model_key = $1`, [modelKey]);
  return row === undefined ? undefined : fromModelJson(row.j);
};

/** Inside a write: the entity the transaction just wrote is there. */
export const requireLoaded = <T>(entity: T | undefined, what: string): T => {
  if (entity === undefined) throw new Error(`${what} vanished inside its transaction`);
  return entity;
};

export const modelKeyOf = async (db: PgDatabase, name: string): Promise<number | undefined> =>
  (await db.one<{ model_key: number }>("SELECT model_key FROM registered_models WHERE name = $1", [name]))?.model_key;

/**
 * The model's key, with its row locked until the transaction ends (FOR NO KEY UPDATE: it does not block the
 * foreign-key checks of concurrent inserts into its child tables, but it does queue every other writer of the
 * model). Every write that reads before it writes (version numbering, alias moves, stage transitions) takes it
 * first, so several server processes on one database serialise per model as SQLite's single writer did.
 */
export const lockModelKey = async (db: PgDatabase, name: string): Promise<number> => {
  const row = await db.one<{ model_key: number }>("SELECT model_key FROM registered_models WHERE name = $1 FOR NO KEY UPDATE", [name]);
  if (row === undefined) throw modelNotFound(name);
  return row.model_key;
};

export interface VersionKeys {
  versionKey: number;
  modelKey: number;
  version: number;
}

export const versionKeysOf = async (db: PgDatabase, name: string, version: string): Promise<VersionKeys | undefined> => {
  const number = parseVersionNumber(version);
  if (number === undefined) return undefined;
  const row = await db.one<{ version_key: number; model_key: number }>(
    "SELECT version_key, model_key FROM model_versions WHERE name = $1 AND version = $2",
    [name, number],
  );
  return row === undefined ? undefined : { versionKey: row.version_key, modelKey: row.model_key, version: number };
};

/** The version's keys, after locking its model (lockModelKey); a missing model is reported as the missing version (MLflow). */
export const lockVersionKeys = async (db: PgDatabase, name: string, version: string): Promise<VersionKeys> => {
  const locked = await db.one<{ model_key: number }>("SELECT model_key FROM registered_models WHERE name = $1 FOR NO KEY UPDATE", [name]);
  const keys = locked === undefined ? undefined : await versionKeysOf(db, name, version);
  if (keys === undefined) throw versionNotFound(name, version);
  return keys;
};

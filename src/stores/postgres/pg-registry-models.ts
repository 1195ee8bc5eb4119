import { alreadyExists, type CairnError } from "../../core/errors.js";
import type { RegisteredModel, RegisteredModelTag } from "../../protocol/mlflow/registry-entities.js";
import type { NewRegisteredModel } from "../../registry/store.js";
import { modelNotFound } from "../sql/registry-rows.js";
import { type PgDatabase, pgErrorCode } from "./pg-database.js";
import { loadModel, lockModelKey, requireLoaded } from "./pg-registry-rows.js";

/** Registered-model writes of the PostgreSQL registry store (MLflow sqlalchemy registry semantics, as SQLite's). */

const UNIQUE_VIOLATION = "23505";

const nameTaken = (name: string, detail = ""): CairnError => alreadyExists(`Registered Model (name=${name}) already exists.${detail}`);

/** SQLite's wording of a rename onto a taken name, so both backends answer alike. */
const RENAME_TAKEN_DETAIL = " Error: UNIQUE constraint failed: registered_models.name";

const UPSERT_TAG =
  "INSERT INTO registered_model_tags (model_key, key, value) VALUES ($1, $2, $3) " +
  "ON CONFLICT (model_key, key) DO UPDATE SET value = excluded.value";

/**
 * ON CONFLICT DO NOTHING rather than catching the unique violation: inside an audit unit's transaction a failed
 * statement would abort the whole transaction, and the name check must not cost the caller its unit.
 */
export const createRegisteredModel = async (db: PgDatabase, input: NewRegisteredModel): Promise<RegisteredModel> =>
  db.transaction(async () => {
    const inserted = await db.one<{ model_key: number }>(
      "INSERT INTO registered_models (name, creation_time, last_updated_time, description, user_id) VALUES ($1, $2, $3, $4, $5) " +
        "ON CONFLICT (name) DO NOTHING RETURNING model_key",
      [input.name, input.now, input.now, input.description ?? null, input.userId ?? null],
    );
    if (inserted === undefined) throw nameTaken(input.name);
    // A key given twice keeps its last value, as MLflow's create (it builds a dict of the tags).
    for (const tag of input.tags) await db.query(UPSERT_TAG, [inserted.model_key, tag.key, tag.value]);
    return requireLoaded(await loadModel(db, inserted.model_key), "registered model");
  });

/** The versions follow (their copy of the name) and, as in MLflow, every version's last_updated_time is stamped. */
export const renameRegisteredModel = async (db: PgDatabase, name: string, newName: string, now: number): Promise<RegisteredModel> => {
  try {
    return await db.transaction(async () => {
      const modelKey = await lockModelKey(db, name);
      if (newName !== name && (await db.one("SELECT 1 FROM registered_models WHERE name = $1", [newName])) !== undefined) {
        throw nameTaken(newName, RENAME_TAKEN_DETAIL);
      }
      await db.query("UPDATE registered_models SET name = $1, last_updated_time = $2 WHERE model_key = $3", [newName, now, modelKey]);
      await db.query("UPDATE model_versions SET name = $1, last_updated_time = $2 WHERE model_key = $3", [newName, now, modelKey]);
      return requireLoaded(await loadModel(db, modelKey), "registered model");
    });
  } catch (error) {
    // A model created under the new name by another process after the check above.
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw nameTaken(newName, RENAME_TAKEN_DETAIL);
    throw error;
  }
};

/** An absent description clears it, as MLflow's update stores whatever description it is given. */
export const updateRegisteredModel = async (
  db: PgDatabase,
  name: string,
  update: { description?: string },
  now: number,
): Promise<RegisteredModel> =>
  db.transaction(async () => {
    const row = await db.one<{ model_key: number }>(
      "UPDATE registered_models SET description = $1, last_updated_time = $2 WHERE name = $3 RETURNING model_key",
      [update.description ?? null, now, name],
    );
    if (row === undefined) throw modelNotFound(name);
    return requireLoaded(await loadModel(db, row.model_key), "registered model");
  });

/** One statement: the foreign keys' ON DELETE CASCADE takes versions, tags, aliases and manifests with the model. */
export const deleteRegisteredModel = async (db: PgDatabase, name: string): Promise<void> => {
  if ((await db.execute("DELETE FROM registered_models WHERE name = $1", [name])) === 0) throw modelNotFound(name);
};

/** Tags do not touch last_updated_time: MLflow's set/delete tag leave the model's timestamps alone. */
export const setRegisteredModelTag = async (db: PgDatabase, name: string, tag: RegisteredModelTag): Promise<void> => {
  const changed = await db.execute(
    "INSERT INTO registered_model_tags (model_key, key, value) SELECT model_key, $2, $3 FROM registered_models WHERE name = $1 " +
      "ON CONFLICT (model_key, key) DO UPDATE SET value = excluded.value",
    [name, tag.key, tag.value],
  );
  if (changed === 0) throw modelNotFound(name);
};

/** Deleting a tag the model does not have is a no-op (MLflow), but the model must exist. */
export const deleteRegisteredModelTag = async (db: PgDatabase, name: string, key: string): Promise<void> => {
  const row = await db.one<{ model_key: number; deleted: number }>(
    "WITH m AS (SELECT model_key FROM registered_models WHERE name = $1), " +
      "d AS (DELETE FROM registered_model_tags t USING m WHERE t.model_key = m.model_key AND t.key = $2 RETURNING 1) " +
      "SELECT m.model_key, (SELECT count(*) FROM d) AS deleted FROM m",
    [name, key],
  );
  if (row === undefined) throw modelNotFound(name);
};

import { alreadyExists, type CairnError } from "../../core/errors.js";
import type { RegisteredModel, RegisteredModelTag } from "../../protocol/mlflow/registry-entities.js";
import type { NewRegisteredModel } from "../../registry/store.js";
import { loadRegisteredModels } from "./registry-loader.js";
import { modelKeyOf, requireModelKey } from "./registry-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/** Registered-model writes and reads of the SQLite registry store (MLflow sqlalchemy registry semantics). */

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE";

const nameTaken = (name: string, detail = ""): CairnError => alreadyExists(`Registered Model (name=${name}) already exists.${detail}`);

const UPSERT_TAG =
  "INSERT INTO registered_model_tags (model_key, key, value) VALUES (?, ?, ?) " +
  "ON CONFLICT (model_key, key) DO UPDATE SET value = excluded.value";

const loadOne = (conn: SqliteConnection, modelKey: number): RegisteredModel => {
  const model = loadRegisteredModels(conn, [modelKey])[0];
  if (model === undefined) throw new Error(`registered model ${modelKey} vanished inside its transaction`);
  return model;
};

export const createRegisteredModel = (conn: SqliteConnection, input: NewRegisteredModel): RegisteredModel => {
  try {
    return conn.write(() => {
      const inserted = conn
        .stmt(
          "INSERT INTO registered_models (name, creation_time, last_updated_time, description, user_id) VALUES (?, ?, ?, ?, ?)",
        )
        .run(input.name, input.now, input.now, input.description ?? null, input.userId ?? null);
      const modelKey = Number(inserted.lastInsertRowid);
      // A key given twice keeps its last value, as MLflow's create (it builds a dict of the tags).
      const upsert = conn.stmt(UPSERT_TAG);
      for (const tag of input.tags) upsert.run(modelKey, tag.key, tag.value);
      return loadOne(conn, modelKey);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
};

export const getRegisteredModel = (conn: SqliteConnection, name: string): RegisteredModel | undefined =>
  conn.read(() => {
    const modelKey = modelKeyOf(conn, name);
    return modelKey === undefined ? undefined : loadRegisteredModels(conn, [modelKey])[0];
  });

/** The versions follow (their copy of the name) and, as in MLflow, every version's last_updated_time is stamped. */
export const renameRegisteredModel = (conn: SqliteConnection, name: string, newName: string, now: number): RegisteredModel => {
  try {
    return conn.write(() => {
      const modelKey = requireModelKey(conn, name);
      conn.stmt("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE model_key = ?").run(newName, now, modelKey);
      conn.stmt("UPDATE model_versions SET name = ?, last_updated_time = ? WHERE model_key = ?").run(newName, now, modelKey);
      return loadOne(conn, modelKey);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw nameTaken(newName, " Error: UNIQUE constraint failed: registered_models.name");
    }
    throw error;
  }
};

/** An absent description clears it, as MLflow's update stores whatever description it is given. */
export const updateRegisteredModel = (
  conn: SqliteConnection,
  name: string,
  update: { description?: string },
  now: number,
): RegisteredModel =>
  conn.write(() => {
    const modelKey = requireModelKey(conn, name);
    conn
      .stmt("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE model_key = ?")
      .run(update.description ?? null, now, modelKey);
    return loadOne(conn, modelKey);
  });

/** Children are deleted explicitly too, so the cascade holds even on a connection without foreign_keys = ON. */
export const deleteRegisteredModel = (conn: SqliteConnection, name: string): void => {
  conn.write(() => {
    const modelKey = requireModelKey(conn, name);
    conn.stmt("DELETE FROM registered_model_aliases WHERE model_key = ?").run(modelKey);
    conn
      .stmt("DELETE FROM model_version_tags WHERE version_key IN (SELECT version_key FROM model_versions WHERE model_key = ?)")
      .run(modelKey);
    conn.stmt("DELETE FROM model_versions WHERE model_key = ?").run(modelKey);
    conn.stmt("DELETE FROM registered_model_tags WHERE model_key = ?").run(modelKey);
    conn.stmt("DELETE FROM registered_models WHERE model_key = ?").run(modelKey);
  });
};

/** Tags do not touch last_updated_time: MLflow's set/delete tag leave the model's timestamps alone. */
export const setRegisteredModelTag = (conn: SqliteConnection, name: string, tag: RegisteredModelTag): void => {
  conn.write(() => {
    conn.stmt(UPSERT_TAG).run(requireModelKey(conn, name), tag.key, tag.value);
  });
};

/** Deleting a tag the model does not have is a no-op (MLflow), but the model must exist. */
export const deleteRegisteredModelTag = (conn: SqliteConnection, name: string, key: string): void => {
  conn.write(() => {
    conn.stmt("DELETE FROM registered_model_tags WHERE model_key = ? AND key = ?").run(requireModelKey(conn, name), key);
  });
};

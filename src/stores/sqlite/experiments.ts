import { alreadyExists, CairnError, ErrorCode, notFound } from "../../core/errors.js";
import type { Experiment, ExperimentTag, LifecycleStage } from "../../protocol/mlflow/entities.js";
import type { ExperimentSearch, NewExperiment, Page } from "../../tracking/store.js";
import { compileExperimentSearch } from "../sql/experiment-search-compiler.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { EXPERIMENT_COLUMNS, type ExperimentRow, parseExperimentId, stagesOf, toExperiment } from "../sql/tracking-rows.js";
import { GC_PENDING_TAG, removalPending } from "../../tracking/gc/gc-store.js";
import { sqliteDialect } from "./sqlite-dialect.js";
import type { SqliteConnection } from "./statement-cache.js";

/** Experiment reads and writes of the SQLite tracking store (MLflow sqlalchemy_store semantics). */

const experimentNotFound = (experimentId: string | number): CairnError =>
  notFound(`No Experiment with id=${experimentId} exists`);

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE";

const nameTaken = (name: string): CairnError =>
  alreadyExists(`Experiment(name=${name}) already exists. Error: UNIQUE constraint failed: experiments.name`);

export const loadExperiments = (conn: SqliteConnection, ids: readonly number[]): Experiment[] => {
  if (ids.length === 0) return [];
  const json = JSON.stringify(ids);
  const rows = conn
    .stmt(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id IN (SELECT value FROM json_each(?))`)
    .all(json) as ExperimentRow[];
  const tagRows = conn
    .stmt("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (SELECT value FROM json_each(?)) ORDER BY experiment_id, key")
    .all(json) as (ExperimentTag & { experiment_id: number })[];
  const tags = new Map<number, ExperimentTag[]>();
  for (const row of tagRows) {
    const list = tags.get(row.experiment_id) ?? [];
    list.push({ key: row.key, value: row.value });
    tags.set(row.experiment_id, list);
  }
  const byId = new Map(rows.map((row) => [row.experiment_id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row === undefined ? [] : [toExperiment(row, tags.get(id) ?? [])];
  });
};

export const ensureDefaultExperiment = (conn: SqliteConnection, artifactLocation: string, now: number): void => {
  conn.write(() => {
    if (conn.stmt("SELECT 1 FROM experiments WHERE experiment_id = 0").get() !== undefined) return;
    conn
      .stmt(
        `INSERT INTO experiments (${EXPERIMENT_COLUMNS}) VALUES (0, 'Default', ?, 'active', ?, ?)`,
      )
      .run(artifactLocation, now, now);
  });
};

export const createExperiment = (conn: SqliteConnection, input: NewExperiment): string => {
  try {
    return conn.write(() => {
      const inserted = conn
        .stmt(
          "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) " +
            "VALUES (?, ?, 'active', ?, ?)",
        )
        .run(input.name, input.artifactLocation ?? "", input.now, input.now);
      const id = Number(inserted.lastInsertRowid);
      if (input.artifactLocation === undefined || input.artifactLocation === "") {
        conn
          .stmt("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?")
          .run(input.defaultArtifactLocation(String(id)), id);
      }
      const insertTag = conn.stmt(
        "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) " +
          "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
      );
      for (const tag of input.tags) insertTag.run(id, tag.key, tag.value);
      return String(id);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(input.name);
    throw error;
  }
};

export const getExperiment = (conn: SqliteConnection, experimentId: string): Experiment | undefined => {
  const id = parseExperimentId(experimentId);
  return id === undefined ? undefined : conn.read(() => loadExperiments(conn, [id])[0]);
};

export const getExperimentByName = (conn: SqliteConnection, name: string): Experiment | undefined =>
  conn.read(() => {
    const row = conn.stmt("SELECT experiment_id FROM experiments WHERE name = ?").get(name) as
      | { experiment_id: number }
      | undefined;
    return row === undefined ? undefined : loadExperiments(conn, [row.experiment_id])[0];
  });

export const searchExperiments = (conn: SqliteConnection, query: ExperimentSearch): Page<Experiment> => {
  const offset = decodeOffsetToken(query.pageToken);
  const compiled = compileExperimentSearch(sqliteDialect, {
    stages: stagesOf(query.viewType),
    filter: query.filter,
    orderBy: query.orderBy,
    limit: query.maxResults + 1,
    offset,
  });
  return conn.read(() => {
    const ids = (conn.stmt(compiled.sql).all(...compiled.params) as { experiment_id: number }[]).map(
      (row) => row.experiment_id,
    );
    return pageOf(loadExperiments(conn, ids), offset, query.maxResults);
  });
};

const stageOf = (conn: SqliteConnection, experimentId: string): { id: number; stage: LifecycleStage } => {
  const id = parseExperimentId(experimentId);
  const row =
    id === undefined
      ? undefined
      : (conn.stmt("SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?").get(id) as
          | { lifecycle_stage: LifecycleStage }
          | undefined);
  if (id === undefined || row === undefined) throw experimentNotFound(experimentId);
  return { id, stage: row.lifecycle_stage };
};

export const renameExperiment = (conn: SqliteConnection, experimentId: string, newName: string, now: number): void => {
  try {
    conn.write(() => {
      const { id, stage } = stageOf(conn, experimentId);
      if (stage !== "active") throw new CairnError(ErrorCode.INVALID_STATE, "Cannot rename a non-active experiment.");
      conn.stmt("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?").run(newName, now, id);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(newName);
    throw error;
  }
};

/**
 * Deleting marks every run of the experiment deleted; restoring restores every run (MLflow does the same, even
 * for runs that were deleted on their own before). Like MLflow, deleting a deleted experiment (or restoring an
 * active one) reports that no such experiment exists in the expected state.
 */
/** Whether gc marked the experiment or one of its runs for removal (restoring it would restore them). */
const REMOVAL_PENDING =
  "SELECT 1 FROM experiment_tags WHERE experiment_id = ? AND key = ? " +
  "UNION ALL SELECT 1 FROM tags t JOIN runs r ON r.run_key = t.run_key WHERE r.experiment_id = ? AND t.key = ? LIMIT 1";

export const setExperimentLifecycle = (
  conn: SqliteConnection,
  experimentId: string,
  stage: LifecycleStage,
  now: number,
): void => {
  conn.write(() => {
    const current = stageOf(conn, experimentId);
    if (current.stage === stage) throw experimentNotFound(experimentId);
    if (stage === "active" && conn.stmt(REMOVAL_PENDING).get(current.id, GC_PENDING_TAG, current.id, GC_PENDING_TAG) !== undefined) {
      throw removalPending(`Experiment ${experimentId}, or a run of it,`);
    }
    conn
      .stmt("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?")
      .run(stage, now, current.id);
    conn
      .stmt("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?")
      .run(stage, stage === "deleted" ? now : null, current.id);
  });
};

export const setExperimentTag = (conn: SqliteConnection, experimentId: string, tag: ExperimentTag): void => {
  conn.write(() => {
    const { id } = stageOf(conn, experimentId);
    conn
      .stmt(
        "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) " +
          "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
      )
      .run(id, tag.key, tag.value);
  });
};

export const deleteExperimentTag = (conn: SqliteConnection, experimentId: string, key: string): void => {
  conn.write(() => {
    const { id } = stageOf(conn, experimentId);
    const deleted = conn.stmt("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?").run(id, key);
    if (deleted.changes === 0) {
      throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
    }
  });
};

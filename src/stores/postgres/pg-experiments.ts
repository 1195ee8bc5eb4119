import { alreadyExists, CairnError, ErrorCode, notFound } from "../../core/errors.js";
import type { Experiment, ExperimentTag, LifecycleStage } from "../../protocol/mlflow/entities.js";
import type { ExperimentSearch, NewExperiment, Page } from "../../tracking/store.js";
import { stagesOf } from "../sql/tracking-rows.js";
import { EXPERIMENT_COLUMNS, type ExperimentRow, parseExperimentId, toExperiment } from "../sql/tracking-rows.js";
import { compileExperimentSearch } from "../sql/experiment-search-compiler.js";
import { decodeOffsetToken, pageOf } from "../sql/page-token.js";
import { type PgDatabase, pgErrorCode } from "./pg-database.js";
import { readSnapshot, UNIQUE_VIOLATION } from "./pg-snapshot.js";
import { postgresDialect } from "./postgres-dialect.js";
import { GC_PENDING_TAG, removalPending } from "../../tracking/gc/gc-store.js";

/** Experiment reads and writes of the PostgreSQL tracking store (same rules and messages as sqlite/experiments.ts). */

const experimentNotFound = (experimentId: string | number): CairnError => notFound(`No Experiment with id=${experimentId} exists`);

const nameTaken = (name: string): CairnError =>
  alreadyExists(`Experiment(name=${name}) already exists. Error: UNIQUE constraint failed: experiments.name`);

const UPSERT_TAG =
  "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) " +
  "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value";

export const loadPgExperiments = async (db: PgDatabase, ids: readonly number[]): Promise<Experiment[]> => {
  if (ids.length === 0) return [];
  const rows = await db.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ANY($1::bigint[])`, [ids]);
  const tagRows = await db.query<ExperimentTag & { experiment_id: number }>(
    "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY($1::bigint[]) ORDER BY experiment_id, key",
    [ids],
  );
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

/**
 * Creates the Default experiment (id 0) unless it exists. Replicas starting together on an empty database all run
 * this: ON CONFLICT DO NOTHING makes every one but the first a no-op, without a read-then-write race.
 */
export const ensurePgDefaultExperiment = async (db: PgDatabase, artifactLocation: string, now: number): Promise<void> => {
  await db.query(
    `INSERT INTO experiments (${EXPERIMENT_COLUMNS}) VALUES (0, 'Default', $1, 'active', $2, $2) ON CONFLICT DO NOTHING`,
    [artifactLocation, now],
  );
};

const translateUnique = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw nameTaken(name);
    throw error;
  }
};

export const createPgExperiment = (db: PgDatabase, input: NewExperiment): Promise<string> =>
  translateUnique(input.name, () =>
    db.transaction(async () => {
      const inserted = await db.one<{ experiment_id: number }>(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) " +
          "VALUES ($1, $2, 'active', $3, $3) RETURNING experiment_id",
        [input.name, input.artifactLocation ?? "", input.now],
      );
      const id = inserted?.experiment_id as number;
      if (input.artifactLocation === undefined || input.artifactLocation === "") {
        await db.query("UPDATE experiments SET artifact_location = $1 WHERE experiment_id = $2", [input.defaultArtifactLocation(String(id)), id]);
      }
      for (const tag of input.tags) await db.query(UPSERT_TAG, [id, tag.key, tag.value]);
      return String(id);
    }),
  );

export const getPgExperiment = async (db: PgDatabase, experimentId: string): Promise<Experiment | undefined> => {
  const id = parseExperimentId(experimentId);
  return id === undefined ? undefined : readSnapshot(db, async () => (await loadPgExperiments(db, [id]))[0]);
};

export const getPgExperimentByName = (db: PgDatabase, name: string): Promise<Experiment | undefined> =>
  readSnapshot(db, async () => {
    const row = await db.one<{ experiment_id: number }>("SELECT experiment_id FROM experiments WHERE name = $1", [name]);
    return row === undefined ? undefined : (await loadPgExperiments(db, [row.experiment_id]))[0];
  });

export const searchPgExperiments = async (db: PgDatabase, query: ExperimentSearch): Promise<Page<Experiment>> => {
  const offset = decodeOffsetToken(query.pageToken);
  const compiled = compileExperimentSearch(postgresDialect, {
    stages: stagesOf(query.viewType),
    filter: query.filter,
    orderBy: query.orderBy,
    limit: query.maxResults + 1,
    offset,
  });
  return readSnapshot(db, async () => {
    const ids = (await db.query<{ experiment_id: number }>(compiled.sql, compiled.params)).map((row) => row.experiment_id);
    return pageOf(await loadPgExperiments(db, ids), offset, query.maxResults);
  });
};

/** The experiment's stage, its row locked until the transaction ends (FOR UPDATE): lifecycle changes do not race. */
const lockStage = async (db: PgDatabase, experimentId: string): Promise<{ id: number; stage: LifecycleStage }> => {
  const id = parseExperimentId(experimentId);
  const row =
    id === undefined
      ? undefined
      : await db.one<{ lifecycle_stage: LifecycleStage }>("SELECT lifecycle_stage FROM experiments WHERE experiment_id = $1 FOR UPDATE", [id]);
  if (id === undefined || row === undefined) throw experimentNotFound(experimentId);
  return { id, stage: row.lifecycle_stage };
};

export const renamePgExperiment = (db: PgDatabase, experimentId: string, newName: string, now: number): Promise<void> =>
  translateUnique(newName, () =>
    db.transaction(async () => {
      const { id, stage } = await lockStage(db, experimentId);
      if (stage !== "active") throw new CairnError(ErrorCode.INVALID_STATE, "Cannot rename a non-active experiment.");
      await db.query("UPDATE experiments SET name = $1, last_update_time = $2 WHERE experiment_id = $3", [newName, now, id]);
    }),
  );

/** Deleting marks every run deleted, restoring restores every run (MLflow's rule, as on SQLite). */
export const setPgExperimentLifecycle = (db: PgDatabase, experimentId: string, stage: LifecycleStage, now: number): Promise<void> =>
  db.transaction(async () => {
    const current = await lockStage(db, experimentId);
    if (current.stage === stage) throw experimentNotFound(experimentId);
    if (stage === "active") {
      // Its runs' rows locked before their marks are read: a gc marking one of them goes first or waits.
      await db.query("SELECT run_key FROM runs WHERE experiment_id = $1 ORDER BY run_key FOR UPDATE", [current.id]);
      const pending = await db.one(
        "SELECT 1 FROM experiment_tags WHERE experiment_id = $1 AND key = $2 " +
          "UNION ALL SELECT 1 FROM tags t JOIN runs r ON r.run_key = t.run_key WHERE r.experiment_id = $1 AND t.key = $2 LIMIT 1",
        [current.id, GC_PENDING_TAG],
      );
      if (pending !== undefined) throw removalPending(`Experiment ${experimentId}, or a run of it,`);
    }
    await db.query("UPDATE experiments SET lifecycle_stage = $1, last_update_time = $2 WHERE experiment_id = $3", [stage, now, current.id]);
    await db.query("UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE experiment_id = $3", [
      stage,
      stage === "deleted" ? now : null,
      current.id,
    ]);
  });

export const setPgExperimentTag = (db: PgDatabase, experimentId: string, tag: ExperimentTag): Promise<void> =>
  db.transaction(async () => {
    const { id } = await lockStage(db, experimentId);
    await db.query(UPSERT_TAG, [id, tag.key, tag.value]);
  });

export const deletePgExperimentTag = (db: PgDatabase, experimentId: string, key: string): Promise<void> =>
  db.transaction(async () => {
    const { id } = await lockStage(db, experimentId);
    const deleted = await db.execute("DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2", [id, key]);
    if (deleted === 0) throw notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
  });

import { notFound } from "../../core/errors.js";
import { type DatasetInput, type LifecycleStage, type Run, type RunInfo, SystemTag } from "../../protocol/mlflow/entities.js";
import type { ModelInput, ModelOutput } from "../../protocol/mlflow/logged-model-entities.js";
import type { NewRun, RunUpdate } from "../../tracking/store.js";
import { parseExperimentId, RUN_COLUMNS, type RunRow, toRunInfo } from "../sql/tracking-rows.js";
import { runNotFound } from "../sql/tracking-rows.js";
import type { PgDatabase } from "./pg-database.js";
import { loadPgRuns } from "./pg-run-loader.js";
import { readSnapshot } from "./pg-snapshot.js";
import { GC_PENDING_TAG, removalPending } from "../../tracking/gc/gc-store.js";

/** Run writes and single-run reads of the PostgreSQL tracking store (the rules of sqlite/runs.ts). */

/** The integer key of a run, or RESOURCE_DOES_NOT_EXIST. */
/** Named (prepared once per connection): every write to a run starts here, and planning cost more than the lookup. */
export const pgRunKeyOf = async (db: PgDatabase, runId: string): Promise<{ run_key: number; experiment_id: number }> => {
  const [row] = await db.queryPrepared<{ run_key: number; experiment_id: number }>("run_key_of", "SELECT run_key, experiment_id FROM runs WHERE run_uuid = $1", [runId]);
  if (row === undefined) throw runNotFound(runId);
  return row;
};

const UPSERT_TAG =
  "INSERT INTO tags (run_key, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value, audit_xid = excluded.audit_xid";

/** Sets a run tag; the mlflow.runName tag and the run's name are one fact, so setting one sets the other. */
export const upsertPgRunTag = async (db: PgDatabase, runKey: number, key: string, value: string): Promise<void> => {
  await db.query(UPSERT_TAG, [runKey, key, value]);
  if (key === SystemTag.RUN_NAME) await db.query("UPDATE runs SET name = $1 WHERE run_key = $2", [value, runKey]);
};

export const createPgRun = (db: PgDatabase, input: NewRun): Promise<Run> =>
  db.transaction(async () => {
    const experimentId = parseExperimentId(input.experimentId);
    // FOR SHARE: the experiment cannot be deleted between this check and the insert (its delete marks every run).
    const exists =
      experimentId !== undefined && (await db.one("SELECT 1 FROM experiments WHERE experiment_id = $1 FOR SHARE", [experimentId])) !== undefined;
    if (!exists) throw notFound(`No Experiment with id=${input.experimentId} exists`);
    const nameTag = input.tags.findLast((tag) => tag.key === SystemTag.RUN_NAME);
    const runName = input.runName !== "" ? input.runName : (nameTag?.value ?? "");
    const inserted = await db.one<{ run_key: number }>(
      "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, deleted_time) " +
        "VALUES ($1, $2, $3, $4, $5, $6, NULL, 'active', $7, NULL) RETURNING run_key",
      [input.runId, experimentId, runName, input.userId, input.status, input.startTime, input.artifactUri],
    );
    const runKey = inserted?.run_key as number;
    const tags = new Map<string, string>();
    for (const tag of input.tags) if (tag.key !== SystemTag.RUN_NAME) tags.set(tag.key, tag.value);
    if (runName !== "") tags.set(SystemTag.RUN_NAME, runName);
    if (tags.size > 0) {
      await db.query("INSERT INTO tags (run_key, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS u(k, v)", [
        runKey,
        [...tags.keys()],
        [...tags.values()],
      ]);
    }
    const run = (await loadPgRuns(db, [runKey]))[0];
    if (run === undefined) throw runNotFound(input.runId);
    return run;
  });

export const getPgRun = (db: PgDatabase, runId: string): Promise<Run | undefined> =>
  readSnapshot(db, async () => {
    const [row] = await db.queryPrepared<{ run_key: number }>("run_key_by_uuid", "SELECT run_key FROM runs WHERE run_uuid = $1", [runId]);
    return row === undefined ? undefined : (await loadPgRuns(db, [row.run_key]))[0];
  });

export const getPgRunInfo = async (db: PgDatabase, runId: string): Promise<RunInfo | undefined> => {
  // Named: the one read before every tracking write (see pgRunKeyOf).
  const [row] = await db.queryPrepared<RunRow>("run_info_of", `SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = $1`, [runId]);
  return row === undefined ? undefined : toRunInfo(row);
};

export const updatePgRun = (db: PgDatabase, runId: string, update: RunUpdate): Promise<RunInfo> =>
  db.transaction(async () => {
    const { run_key: runKey } = await pgRunKeyOf(db, runId);
    if (update.status !== undefined) await db.query("UPDATE runs SET status = $1 WHERE run_key = $2", [update.status, runKey]);
    if (update.endTime !== undefined) await db.query("UPDATE runs SET end_time = $1 WHERE run_key = $2", [update.endTime, runKey]);
    if (update.runName !== undefined && update.runName !== "") await upsertPgRunTag(db, runKey, SystemTag.RUN_NAME, update.runName);
    return toRunInfo((await db.one<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_key = $1`, [runKey])) as RunRow);
  });

export const setPgRunLifecycle = (db: PgDatabase, runId: string, stage: LifecycleStage, now: number): Promise<void> =>
  db.transaction(async () => {
    // The row lock first, then the mark (a statement of its own sees what a gc that held the lock committed).
    const row = await db.one<{ run_key: number }>("SELECT run_key FROM runs WHERE run_uuid = $1 FOR UPDATE", [runId]);
    if (row === undefined) throw runNotFound(runId);
    if (stage === "active" && (await db.one("SELECT 1 FROM tags WHERE run_key = $1 AND key = $2", [row.run_key, GC_PENDING_TAG])) !== undefined) {
      throw removalPending(`Run ${runId}`);
    }
    await db.execute("UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE run_key = $3", [stage, stage === "deleted" ? now : null, row.run_key]);
  });

export const deletePgTag = (db: PgDatabase, runId: string, key: string): Promise<void> =>
  db.transaction(async () => {
    const { run_key: runKey } = await pgRunKeyOf(db, runId);
    const deleted = await db.execute("DELETE FROM tags WHERE run_key = $1 AND key = $2", [runKey, key]);
    if (deleted === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
  });

const INSERT_MODEL_LINKS =
  "INSERT INTO run_model_links (run_key, direction, model_id, step) " +
  "SELECT $1, $2, u.model_id, u.step FROM unnest($3::text[], $4::bigint[]) WITH ORDINALITY AS u(model_id, step, n) ORDER BY u.n " +
  "ON CONFLICT (run_key, direction, model_id, step) DO NOTHING";

const insertModelLinks = async (db: PgDatabase, runKey: number, direction: "input" | "output", links: readonly ModelOutput[]): Promise<void> => {
  if (links.length === 0) return;
  await db.query(INSERT_MODEL_LINKS, [runKey, direction, links.map((link) => link.model_id), links.map((link) => link.step)]);
};

/**
 * Datasets are shared per experiment by (name, digest): the first logging defines source/schema/profile. A run links
 * a dataset once; the input tags are those of the first link. ON CONFLICT DO NOTHING makes concurrent loggers of the
 * same dataset agree on one row.
 */
export const logPgInputs = async (db: PgDatabase, runId: string, inputs: DatasetInput[], models: readonly ModelInput[] = []): Promise<void> => {
  if (inputs.length === 0 && models.length === 0) {
    await pgRunKeyOf(db, runId);
    return;
  }
  await db.transaction(async () => {
    const { run_key: runKey, experiment_id: experimentId } = await pgRunKeyOf(db, runId);
    await insertModelLinks(db, runKey, "input", models.map((model) => ({ model_id: model.model_id, step: 0 })));
    const seen = new Set<string>();
    for (const input of inputs) {
      const identity = JSON.stringify([input.dataset.name, input.dataset.digest]);
      if (seen.has(identity)) continue;
      seen.add(identity);
      const { dataset } = input;
      await db.query(
        "INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile) " +
          "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (experiment_id, name, digest) DO NOTHING",
        [experimentId, dataset.name, dataset.digest, dataset.source_type, dataset.source, dataset.schema ?? null, dataset.profile ?? null],
      );
      const { dataset_key: datasetKey } = (await db.one<{ dataset_key: number }>(
        "SELECT dataset_key FROM datasets WHERE experiment_id = $1 AND name = $2 AND digest = $3",
        [experimentId, dataset.name, dataset.digest],
      )) as { dataset_key: number };
      const linked = await db.one<{ input_key: number }>(
        "INSERT INTO inputs (run_key, dataset_key) VALUES ($1, $2) ON CONFLICT (run_key, dataset_key) DO NOTHING RETURNING input_key",
        [runKey, datasetKey],
      );
      if (linked === undefined) continue;
      for (const tag of input.tags) {
        await db.query(
          "INSERT INTO input_tags (input_key, key, value) VALUES ($1, $2, $3) ON CONFLICT (input_key, key) DO UPDATE SET value = excluded.value",
          [linked.input_key, tag.key, tag.value],
        );
      }
    }
  });
};

/** runs/outputs: a retried call links nothing twice. */
export const logPgOutputs = (db: PgDatabase, runId: string, outputs: readonly ModelOutput[]): Promise<void> =>
  db.transaction(async () => {
    const { run_key: runKey } = await pgRunKeyOf(db, runId);
    await insertModelLinks(db, runKey, "output", outputs);
  });

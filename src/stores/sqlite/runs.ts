import { notFound } from "../../core/errors.js";
import { type DatasetInput, type LifecycleStage, type Run, type RunInfo, SystemTag } from "../../protocol/mlflow/entities.js";
import type { ModelInput, ModelOutput } from "../../protocol/mlflow/logged-model-entities.js";
import type { NewRun, RunUpdate } from "../../tracking/store.js";
import { GC_PENDING_TAG, removalPending } from "../../tracking/gc/gc-store.js";
import { loadRuns } from "./run-loader.js";
import { parseExperimentId, RUN_COLUMNS, runNotFound, type RunRow, toRunInfo } from "../sql/tracking-rows.js";
import type { SqliteConnection } from "./statement-cache.js";

/** Run writes and single-run reads of the SQLite tracking store. */

/** The integer key of a run, or RESOURCE_DOES_NOT_EXIST. */
export const runKeyOf = (conn: SqliteConnection, runId: string): { run_key: number; experiment_id: number } => {
  const row = conn.stmt("SELECT run_key, experiment_id FROM runs WHERE run_uuid = ?").get(runId) as
    | { run_key: number; experiment_id: number }
    | undefined;
  if (row === undefined) throw runNotFound(runId);
  return row;
};

const UPSERT_TAG =
  "INSERT INTO tags (run_key, key, value) VALUES (?, ?, ?) ON CONFLICT (run_key, key) DO UPDATE SET value = excluded.value";

/** Sets a run tag; the mlflow.runName tag and the run's name are one fact, so setting one sets the other. */
export const upsertRunTag = (conn: SqliteConnection, runKey: number, key: string, value: string): void => {
  conn.stmt(UPSERT_TAG).run(runKey, key, value);
  if (key === SystemTag.RUN_NAME) conn.stmt("UPDATE runs SET name = ? WHERE run_key = ?").run(value, runKey);
};

export const createRun = (conn: SqliteConnection, input: NewRun): Run =>
  conn.write(() => {
    const experimentId = parseExperimentId(input.experimentId);
    const exists =
      experimentId !== undefined &&
      conn.stmt("SELECT 1 FROM experiments WHERE experiment_id = ?").get(experimentId) !== undefined;
    if (!exists) throw notFound(`No Experiment with id=${input.experimentId} exists`);
    const nameTag = input.tags.findLast((tag) => tag.key === SystemTag.RUN_NAME);
    const runName = input.runName !== "" ? input.runName : (nameTag?.value ?? "");
    const inserted = conn
      .stmt(
        "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, " +
          "artifact_uri, deleted_time) VALUES (?, ?, ?, ?, ?, ?, NULL, 'active', ?, NULL)",
      )
      .run(input.runId, experimentId, runName, input.userId, input.status, input.startTime, input.artifactUri);
    const runKey = Number(inserted.lastInsertRowid);
    for (const tag of input.tags) {
      if (tag.key !== SystemTag.RUN_NAME) conn.stmt(UPSERT_TAG).run(runKey, tag.key, tag.value);
    }
    if (runName !== "") conn.stmt(UPSERT_TAG).run(runKey, SystemTag.RUN_NAME, runName);
    const run = loadRuns(conn, [runKey])[0];
    if (run === undefined) throw runNotFound(input.runId);
    return run;
  });

export const getRun = (conn: SqliteConnection, runId: string): Run | undefined =>
  conn.read(() => {
    const row = conn.stmt("SELECT run_key FROM runs WHERE run_uuid = ?").get(runId) as { run_key: number } | undefined;
    return row === undefined ? undefined : loadRuns(conn, [row.run_key])[0];
  });

export const getRunInfo = (conn: SqliteConnection, runId: string): RunInfo | undefined => {
  const row = conn.stmt(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = ?`).get(runId) as RunRow | undefined;
  return row === undefined ? undefined : toRunInfo(row);
};

export const updateRun = (conn: SqliteConnection, runId: string, update: RunUpdate): RunInfo =>
  conn.write(() => {
    const { run_key: runKey } = runKeyOf(conn, runId);
    if (update.status !== undefined) conn.stmt("UPDATE runs SET status = ? WHERE run_key = ?").run(update.status, runKey);
    if (update.endTime !== undefined) {
      conn.stmt("UPDATE runs SET end_time = ? WHERE run_key = ?").run(update.endTime, runKey);
    }
    if (update.runName !== undefined && update.runName !== "") {
      upsertRunTag(conn, runKey, SystemTag.RUN_NAME, update.runName);
    }
    const row = conn.stmt(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_key = ?`).get(runKey) as RunRow;
    return toRunInfo(row);
  });

export const setRunLifecycle = (conn: SqliteConnection, runId: string, stage: LifecycleStage, now: number): void => {
  conn.write(() => {
    const { run_key: runKey } = runKeyOf(conn, runId);
    if (stage === "active" && conn.stmt("SELECT 1 FROM tags WHERE run_key = ? AND key = ?").get(runKey, GC_PENDING_TAG) !== undefined) {
      throw removalPending(`Run ${runId}`);
    }
    conn
      .stmt("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_key = ?")
      .run(stage, stage === "deleted" ? now : null, runKey);
  });
};

export const deleteTag = (conn: SqliteConnection, runId: string, key: string): void => {
  conn.write(() => {
    const { run_key: runKey } = runKeyOf(conn, runId);
    const deleted = conn.stmt("DELETE FROM tags WHERE run_key = ? AND key = ?").run(runKey, key);
    if (deleted.changes === 0) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
  });
};

/**
 * Datasets are shared per experiment by (name, digest): the first logging defines source/schema/profile. A run
 * links a dataset once; the input tags (e.g. mlflow.data.context) are those of the first link (MLflow's rule).
 */
export const logInputs = (conn: SqliteConnection, runId: string, inputs: DatasetInput[], models: readonly ModelInput[] = []): void => {
  if (inputs.length === 0 && models.length === 0) {
    runKeyOf(conn, runId);
    return;
  }
  conn.write(() => {
    const { run_key: runKey, experiment_id: experimentId } = runKeyOf(conn, runId);
    insertModelLinks(conn, runKey, "input", models.map((model) => ({ model_id: model.model_id, step: 0 })));
    const seen = new Set<string>();
    for (const input of inputs) {
      const identity = JSON.stringify([input.dataset.name, input.dataset.digest]);
      if (seen.has(identity)) continue;
      seen.add(identity);
      const { dataset } = input;
      conn
        .stmt(
          "INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile) " +
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name, digest) DO NOTHING",
        )
        .run(experimentId, dataset.name, dataset.digest, dataset.source_type, dataset.source, dataset.schema ?? null, dataset.profile ?? null);
      const { dataset_key: datasetKey } = conn
        .stmt("SELECT dataset_key FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?")
        .get(experimentId, dataset.name, dataset.digest) as { dataset_key: number };
      const linked = conn
        .stmt("INSERT INTO inputs (run_key, dataset_key) VALUES (?, ?) ON CONFLICT (run_key, dataset_key) DO NOTHING")
        .run(runKey, datasetKey);
      if (linked.changes === 0) continue;
      const inputKey = Number(linked.lastInsertRowid);
      const insertTag = conn.stmt(
        "INSERT INTO input_tags (input_key, key, value) VALUES (?, ?, ?) " +
          "ON CONFLICT (input_key, key) DO UPDATE SET value = excluded.value",
      );
      for (const tag of input.tags) insertTag.run(inputKey, tag.key, tag.value);
    }
  });
};

const INSERT_MODEL_LINK =
  "INSERT INTO run_model_links (run_key, direction, model_id, step) VALUES (?, ?, ?, ?) " +
  "ON CONFLICT (run_key, direction, model_id, step) DO NOTHING";

const insertModelLinks = (conn: SqliteConnection, runKey: number, direction: "input" | "output", links: readonly ModelOutput[]): void => {
  if (links.length === 0) return;
  const insert = conn.stmt(INSERT_MODEL_LINK);
  for (const link of links) insert.run(runKey, direction, link.model_id, link.step);
};

/** runs/outputs: a retried call links nothing twice. */
export const logOutputs = (conn: SqliteConnection, runId: string, outputs: readonly ModelOutput[]): void => {
  conn.write(() => {
    const { run_key: runKey } = runKeyOf(conn, runId);
    insertModelLinks(conn, runKey, "output", outputs);
  });
};

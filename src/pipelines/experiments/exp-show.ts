import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Run } from "../../protocol/mlflow/entities.js";
import type { CairnClient } from "../../sdk/client.js";
import { CairnApiError } from "../../sdk/errors.js";
import { PipelineError } from "../errors.js";
import { PIPELINE_SUMMARY_ARTIFACT, PIPELINE_TAGS } from "../tracking/repro-tracker.js";
import { dequeue, EXPERIMENT_NAME, listQueue } from "./exp-queue.js";
import { parseParamOverride } from "./param-overrides.js";
import { experimentParams } from "./run-experiments.js";

/**
 * `cairn exp show`: the workspace's experiments as DVC's table shows them: one row per experiment with the params it
 * set and the metrics of the stage runs its pipeline is made of (the ones it ran, and for the stages it skipped, the
 * runs that made their outputs). Read from the tracking server (the parent runs tagged cairn.experiment), plus the
 * local queue.
 */
export interface ExperimentRow {
  name: string;
  /** The parent run's status (FINISHED, FAILED, RUNNING), or QUEUED for one not run yet. */
  status: string;
  run_id: string | null;
  start_time: number | null;
  params: Record<string, string>;
  metrics: Record<string, number>;
  /** Why the last --run-all attempt of a queued experiment failed. */
  error?: string;
}

export const MAX_SHOWN = 500;
const EXPERIMENT_FILTER = `tags.\`${PIPELINE_TAGS.experiment}\` IS NOT NULL`;

const tag = (run: Run, key: string): string | undefined => run.data.tags.find((entry) => entry.key === key)?.value;

/** The parent's cairn-pipeline.json, or undefined when it has none (a repro that was interrupted before its end). */
const readSummary = async (client: CairnClient, runId: string): Promise<{ stages?: { state?: unknown; run_id?: unknown }[] } | undefined> => {
  const dir = await mkdtemp(path.join(tmpdir(), "cairn-exp-show-"));
  try {
    const file = path.join(dir, PIPELINE_SUMMARY_ARTIFACT);
    await client.artifacts.downloadFile(runId, PIPELINE_SUMMARY_ARTIFACT, file);
    const data: unknown = JSON.parse(await readFile(file, "utf8"));
    return typeof data === "object" && data !== null ? (data as { stages?: { state?: unknown; run_id?: unknown }[] }) : undefined;
  } catch (error) {
    if (error instanceof CairnApiError || error instanceof SyntaxError) return undefined;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** The stage runs of one experiment, in pipeline order when the summary says it, each stage's metrics over the last. */
const experimentMetrics = async (client: CairnClient, parent: Run): Promise<Record<string, number>> => {
  const children: Run[] = [];
  for await (const run of client.runs.searchAll({
    experimentIds: [parent.info.experiment_id],
    filter: `tags.\`mlflow.parentRunId\` = '${parent.info.run_id}'`,
    orderBy: ["attributes.start_time ASC"],
    maxResults: 1000,
  })) {
    children.push(run);
    if (children.length >= 10_000) break;
  }
  const byId = new Map(children.map((run) => [run.info.run_id, run]));
  const ordered: Run[] = [];
  const summary = await readSummary(client, parent.info.run_id);
  for (const stage of Array.isArray(summary?.stages) ? summary.stages : []) {
    const runId = stage.run_id;
    if (typeof runId !== "string" || !/^[0-9a-f]{32}$/.test(runId)) continue;
    const known = byId.get(runId);
    if (known !== undefined) {
      ordered.push(known);
      byId.delete(runId);
      continue;
    }
    if (stage.state !== "skipped") continue;
    try {
      ordered.push(await client.runs.get(runId));
    } catch (error) {
      if (!(error instanceof CairnApiError && error.status === 404)) throw error;
    }
  }
  ordered.push(...byId.values());
  const metrics: Record<string, number> = {};
  for (const run of ordered) for (const metric of run.data.metrics) metrics[metric.key] = metric.value;
  return metrics;
};

export const showExperiments = async (client: CairnClient | undefined, root: string, trackingExperiment: string): Promise<ExperimentRow[]> => {
  const rows: ExperimentRow[] = (await listQueue(root)).map((entry) => ({
    name: entry.name,
    status: "QUEUED",
    run_id: null,
    start_time: null,
    params: Object.fromEntries(experimentParams(entry.params.map(parseParamOverride)).map((param) => [param.key, param.value])),
    metrics: {},
    ...(entry.error === undefined ? {} : { error: entry.error }),
  }));
  if (client === undefined) return rows;
  let experimentId: string;
  try {
    experimentId = (await client.experiments.getByName(trackingExperiment)).experiment_id;
  } catch (error) {
    if (error instanceof CairnApiError && error.errorCode === "RESOURCE_DOES_NOT_EXIST") return rows;
    throw error;
  }
  const page = await client.runs.search({
    experimentIds: [experimentId],
    filter: EXPERIMENT_FILTER,
    orderBy: ["attributes.start_time DESC"],
    maxResults: MAX_SHOWN,
  });
  for (const parent of page.items) {
    rows.push({
      name: tag(parent, PIPELINE_TAGS.experiment) ?? parent.info.run_name,
      status: parent.info.status,
      run_id: parent.info.run_id,
      start_time: parent.info.start_time,
      params: Object.fromEntries(parent.data.params.map((param) => [param.key, param.value])),
      metrics: await experimentMetrics(client, parent),
    });
  }
  return rows;
};

/**
 * `cairn exp remove NAME`: the queued experiment of that name, else its runs on the server (the parent runs tagged
 * with the name and their stage runs, marked deleted as `cairn runs delete` does). Returns what was removed.
 */
export const removeExperiment = async (
  client: () => Promise<CairnClient>,
  root: string,
  trackingExperiment: string,
  name: string,
): Promise<{ queued: boolean; runs: string[] }> => {
  if (!EXPERIMENT_NAME.test(name)) throw new PipelineError(`experiment name '${name.slice(0, 100)}': use letters, digits, '.', '_', '-'`);
  if (await dequeue(root, name)) return { queued: true, runs: [] };
  const api = await client();
  let experimentId: string;
  try {
    experimentId = (await api.experiments.getByName(trackingExperiment)).experiment_id;
  } catch (error) {
    if (error instanceof CairnApiError && error.errorCode === "RESOURCE_DOES_NOT_EXIST") return { queued: false, runs: [] };
    throw error;
  }
  const removed: string[] = [];
  const parents = await api.runs.search({
    experimentIds: [experimentId],
    filter: `tags.\`${PIPELINE_TAGS.experiment}\` = '${name}'`,
    maxResults: MAX_SHOWN,
  });
  for (const parent of parents.items) {
    const children = await api.runs.search({
      experimentIds: [experimentId],
      filter: `tags.\`mlflow.parentRunId\` = '${parent.info.run_id}'`,
      maxResults: 10_000,
    });
    for (const child of children.items) {
      await api.runs.delete(child.info.run_id);
      removed.push(child.info.run_id);
    }
    await api.runs.delete(parent.info.run_id);
    removed.push(parent.info.run_id);
  }
  return { queued: false, runs: removed };
};

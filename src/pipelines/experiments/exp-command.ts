import type { CairnClient } from "../../sdk/client.js";
import { NothingChanged, UsageError } from "../../cli/errors.js";
import { formatTime, type CommandResult } from "../../cli/output.js";
import { openWorkspace } from "../data/workspace.js";
import { PipelineError } from "../errors.js";
import { describeReproEvent } from "../repro/reproduce.js";
import { gitHeadCommit } from "../tracking/git-commit.js";
import { trackingExperimentName } from "../tracking/tracking-experiment.js";
import { checkExperimentName, enqueue, listQueue, newExperimentName, dequeue } from "./exp-queue.js";
import { removeExperiment, showExperiments, type ExperimentRow } from "./exp-show.js";
import { checkParamOverrides, parseParamOverrides } from "./param-overrides.js";
import { runAllQueued, runExperimentInWorkspace, type ExperimentContext, type ExperimentResult } from "./run-experiments.js";

/** What `cairn exp ...` does, each returning the data and a human rendering the CLI prints. */
export interface ExpRunOptions {
  setParam: string[];
  name: string | undefined;
  queue: boolean;
  runAll: boolean;
  jobs: string | undefined;
  makeClient: () => Promise<CairnClient>;
}

const MAX_JOBS = 64;

const parseJobs = (value: string | undefined): number => {
  if (value === undefined) return 1;
  const trimmed = value.trim();
  if (!/^\d{1,3}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > MAX_JOBS) throw new UsageError(`--jobs must be an integer from 1 to ${MAX_JOBS}, got '${value}'`);
  return Number(trimmed);
};

/** The workspace's root, found from the current folder (PipelineError when there is none). */
const workspaceRoot = async (): Promise<string> => {
  const ws = await openWorkspace(process.cwd());
  ws.close();
  return ws.root;
};

const context = async (root: string, makeClient: () => Promise<CairnClient>, stageJobs: number): Promise<ExperimentContext> => ({
  root,
  trackingExperiment: trackingExperimentName(root, undefined, process.env),
  gitCommit: await gitHeadCommit(root),
  makeClient,
  stageJobs,
  onLine: (line) => process.stderr.write(`${line}\n`),
  describe: describeReproEvent,
});

const resultData = (result: ExperimentResult) => ({
  name: result.name,
  ok: result.ok,
  params: result.params,
  run_id: result.parentRunId ?? null,
  ...(result.error === undefined ? {} : { error: result.error }),
  stages: result.stages.map((stage) => ({ stage: stage.stage, state: stage.state, ...(stage.runId === undefined ? {} : { run_id: stage.runId }) })),
});

export const expRun = async (options: ExpRunOptions): Promise<CommandResult> => {
  const jobs = parseJobs(options.jobs);
  if (options.runAll) {
    if (options.setParam.length > 0 || options.name !== undefined || options.queue) {
      throw new UsageError("--run-all runs the queued experiments: it takes no --set-param, --name or --queue");
    }
    const root = await workspaceRoot();
    if ((await listQueue(root)).length === 0) return { data: [], human: { kind: "message", text: "The queue is empty: nothing to run." } };
    // Each experiment's own stages run one at a time: -j N is how many experiments run at once.
    const results = await runAllQueued(await context(root, options.makeClient, 1), jobs);
    const failed = results.filter((result) => !result.ok);
    return {
      data: results.map(resultData),
      human: {
        kind: "table",
        columns: ["EXPERIMENT", "RESULT", "RUN", "PARAMS", "ERROR"],
        rows: results.map((result) => [result.name, result.ok ? "done" : "failed (kept in the queue)", result.parentRunId ?? "-", result.params.join(" "), (result.error ?? "").split("\n")[0] ?? ""]),
        empty: "",
      },
      ...(failed.length > 0 ? { exitCode: 1 } : {}),
    };
  }
  const overrides = parseParamOverrides(options.setParam);
  const name = checkExperimentName(options.name ?? newExperimentName());
  const root = await workspaceRoot();
  // Every key must exist before anything is queued or written.
  await checkParamOverrides(root, overrides);
  if (options.queue) {
    const entry = await enqueue(root, name, overrides);
    return {
      data: entry,
      human: { kind: "message", text: `Queued experiment '${name}'${entry.params.length > 0 ? ` (${entry.params.join(" ")})` : ""}. Run the queue with \`cairn exp run --run-all\`.` },
    };
  }
  const result = await runExperimentInWorkspace(await context(root, options.makeClient, jobs), name, overrides);
  if (!result.ok) throw new PipelineError(`experiment '${name}' failed: ${result.error ?? "unknown error"}`);
  return {
    data: resultData(result),
    human: { kind: "message", text: `Experiment '${name}' done${result.parentRunId === undefined ? "" : `: run ${result.parentRunId}`}.` },
  };
};

const formatMetric = (value: number): string => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6))));

export const expShow = async (makeClient: () => Promise<CairnClient>): Promise<CommandResult<ExperimentRow[]>> => {
  const root = await workspaceRoot();
  const rows = await showExperiments(await makeClient(), root, trackingExperimentName(root, undefined, process.env));
  const paramKeys = [...new Set(rows.flatMap((row) => Object.keys(row.params)))].sort();
  const metricKeys = [...new Set(rows.flatMap((row) => Object.keys(row.metrics)))].sort();
  return {
    data: rows,
    human: {
      kind: "table",
      columns: ["EXPERIMENT", "STATUS", "CREATED (UTC)", ...paramKeys, ...metricKeys],
      rows: rows.map((row) => [
        row.name,
        row.error === undefined ? row.status : `${row.status} (last attempt failed)`,
        formatTime(row.start_time ?? undefined),
        ...paramKeys.map((key) => row.params[key] ?? "-"),
        ...metricKeys.map((key) => (row.metrics[key] === undefined ? "-" : formatMetric(row.metrics[key] as number))),
      ]),
      empty: "No experiments yet: `cairn exp run -S key=value` runs one.",
    },
  };
};

export const expRemove = async (name: string | undefined, options: { queue: boolean; makeClient: () => Promise<CairnClient> }): Promise<CommandResult> => {
  if ((name === undefined) === !options.queue) throw new UsageError("give an experiment NAME or --queue (not both)");
  const root = await workspaceRoot();
  if (options.queue) {
    const queued = await listQueue(root);
    if (queued.length === 0) throw new NothingChanged("the queue is empty: nothing removed");
    for (const entry of queued) await dequeue(root, entry.name);
    return { data: { removed: queued.map((entry) => entry.name) }, human: { kind: "message", text: `Removed ${queued.length} queued experiment${queued.length === 1 ? "" : "s"}.` } };
  }
  const removed = await removeExperiment(options.makeClient, root, trackingExperimentName(root, undefined, process.env), name as string);
  if (removed.queued) return { data: { removed: [name], runs: [] }, human: { kind: "message", text: `Removed queued experiment '${name}'.` } };
  if (removed.runs.length === 0) throw new NothingChanged(`no experiment named '${name}' (queued or on the tracking server)`);
  return {
    data: { removed: [name], runs: removed.runs },
    human: { kind: "message", text: `Deleted experiment '${name}': ${removed.runs.length} run${removed.runs.length === 1 ? "" : "s"} marked deleted.` },
  };
};

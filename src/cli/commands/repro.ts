import type { CairnClient } from "../../sdk/client.js";
import { LazyTracker } from "../../pipelines/repro/lazy-tracker.js";
import { describeReproEvent, reproduce, type ReproResult } from "../../pipelines/repro/reproduce.js";
import { openWorkspace } from "../../pipelines/data/workspace.js";
import { UsageError } from "../errors.js";
import type { CommandResult } from "../output.js";

export interface ReproCommandOptions {
  force: boolean;
  jobs: string | undefined;
  dry: boolean;
  runCache: boolean;
  track: boolean;
  experiment: string | undefined;
  json: boolean;
  makeClient: () => Promise<CairnClient>;
}

const MAX_JOBS = 64;

const parseJobs = (value: string | undefined): number => {
  if (value === undefined) return 1;
  if (!/^\d{1,3}$/.test(value.trim()) || Number(value) < 1 || Number(value) > MAX_JOBS) throw new UsageError(`--jobs must be an integer from 1 to ${MAX_JOBS}, got '${value}'`);
  return Number(value);
};

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? "" : "s"}`;

const summary = (result: ReproResult, dry: boolean): string => {
  const by = (state: string): string[] => result.stages.filter((s) => s.state === state).map((s) => s.stage);
  if (dry) {
    const would = by("would-run");
    return would.length === 0 ? `Nothing to do: ${count(result.stages.length, "stage")} up to date.` : `Would run ${count(would.length, "stage")}: ${would.join(", ")}.`;
  }
  const ran = by("ran");
  const cached = by("cached");
  if (ran.length === 0 && cached.length === 0) return `Nothing changed: ${count(result.stages.length, "stage")} up to date.`;
  return [
    ran.length > 0 ? `ran ${count(ran.length, "stage")} (${ran.join(", ")})` : undefined,
    cached.length > 0 ? `restored ${count(cached.length, "stage")} from the run cache (${cached.join(", ")})` : undefined,
    `${by("skipped").length} unchanged`,
  ]
    .filter((part) => part !== undefined)
    .join(", ")
    .replace(/^./, (c) => c.toUpperCase())
    .concat(".");
};

/** `cairn repro [STAGES...]`: progress on stderr, the stages' states as the result. */
export const repro = async (stages: string[], options: ReproCommandOptions): Promise<CommandResult> => {
  const jobs = parseJobs(options.jobs);
  const ws = await openWorkspace(process.cwd());
  try {
    const tracker =
      options.track && !options.dry
        ? new LazyTracker(async (pipeline) => {
            const { createMlflowReproTracker } = await import("../../pipelines/tracking/mlflow-repro-tracker.js");
            return createMlflowReproTracker(await options.makeClient(), {
              root: ws.root,
              pipelineFile: pipeline.file,
              ...(options.experiment === undefined ? {} : { experimentName: options.experiment }),
            });
          })
        : undefined;
    const result = await reproduce({
      ws,
      ...(stages.length === 0 ? {} : { targets: stages }),
      force: options.force,
      dryRun: options.dry,
      jobs,
      useRunCache: options.runCache,
      ...(tracker === undefined ? {} : { tracker }),
      onEvent: (event) => process.stderr.write(`${describeReproEvent(event)}\n`),
      ...(options.json ? { commandOutput: { stdout: process.stderr, stderr: process.stderr } } : {}),
    });
    return {
      data: {
        pipeline_file: result.pipelineFile,
        stages: result.stages.map((s) => ({ stage: s.stage, state: s.state, reasons: s.reasons, ...(s.runId === undefined ? {} : { run_id: s.runId }) })),
      },
      human: { kind: "message", text: summary(result, options.dry) },
    };
  } finally {
    ws.close();
  }
};

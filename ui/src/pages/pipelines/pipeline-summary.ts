/**
 * The parent run's `cairn-pipeline.json` (written by the tracker, shape in docs/pipelines and design): the stages
 * with their state and run, and the edges between them. It is an artifact, so anything may be in it: it is parsed
 * here, field by field, and what does not fit is refused with a sentence saying where.
 */
export const STAGE_STATES = ["ran", "cached", "skipped", "failed"] as const;
export type StageState = (typeof STAGE_STATES)[number];

export interface PathVersion {
  path: string;
  hash: string;
  size?: number;
  nfiles?: number;
}

export interface PipelineStage {
  name: string;
  cmd: string;
  state: StageState;
  runId: string | undefined;
  deps: PathVersion[];
  outs: PathVersion[];
}

export interface PipelineEdge {
  from: string;
  to: string;
  paths: string[];
}

export interface PipelineSummary {
  pipelineFile: string;
  gitCommit: string | undefined;
  stages: PipelineStage[];
  edges: PipelineEdge[];
}

/** Far above any real pipeline; a bigger file is refused rather than drawn. */
export const MAX_STAGES = 500;
const MAX_EDGES = 5000;
const MAX_PATHS = 1000;
const HASH = /^[0-9a-f]{64}(\.dir)?$/;
const RUN_ID = /^[0-9a-f]{32}$/;

export class SummaryError extends Error {}

type Json = Record<string, unknown>;

const fail = (where: string, why: string): never => {
  throw new SummaryError(`${where}: ${why}`);
};
const objectAt = (value: unknown, where: string): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : fail(where, "expected an object");
const listAt = (value: unknown, where: string, max: number): unknown[] => {
  if (!Array.isArray(value)) return fail(where, "expected a list");
  if (value.length > max) return fail(where, `more than ${max} entries`);
  return value;
};
const textAt = (value: unknown, where: string): string => (typeof value === "string" && value.length <= 10_000 ? value : fail(where, "expected a string"));
const countAt = (value: unknown, where: string): number | undefined => {
  if (value === undefined || value === null) return undefined;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : fail(where, "expected a non-negative integer");
};

/** DVC's cmd is one command or a list run in order: shown as one line joined by "&&". */
const commandText = (cmd: unknown): string => {
  if (typeof cmd === "string") return cmd;
  if (Array.isArray(cmd)) return cmd.filter((part): part is string => typeof part === "string").join(" && ");
  return "";
};

const pathVersion = (value: unknown, where: string): PathVersion => {
  const entry = objectAt(value, where);
  const hash = textAt(entry.hash, `${where}.hash`);
  if (!HASH.test(hash)) fail(`${where}.hash`, "expected a sha256 hash");
  const size = countAt(entry.size, `${where}.size`);
  const nfiles = countAt(entry.nfiles, `${where}.nfiles`);
  return { path: textAt(entry.path, `${where}.path`), hash, ...(size === undefined ? {} : { size }), ...(nfiles === undefined ? {} : { nfiles }) };
};

export const parsePipelineSummary = (value: unknown): PipelineSummary => {
  const root = objectAt(value, "cairn-pipeline.json");
  if (root.version !== 1) fail("version", `expected 1, got ${JSON.stringify(root.version) ?? "nothing"}`);
  const names = new Set<string>();
  const stages = listAt(root.stages, "stages", MAX_STAGES).map((item, index): PipelineStage => {
    const where = `stages[${index}]`;
    const stage = objectAt(item, where);
    const name = textAt(stage.name, `${where}.name`);
    if (names.has(name)) fail(`${where}.name`, `stage '${name}' appears twice`);
    names.add(name);
    const state = textAt(stage.state, `${where}.state`);
    if (!(STAGE_STATES as readonly string[]).includes(state)) fail(`${where}.state`, `expected one of ${STAGE_STATES.join(", ")}`);
    const runId = stage.run_id === null || stage.run_id === undefined ? undefined : textAt(stage.run_id, `${where}.run_id`);
    if (runId !== undefined && !RUN_ID.test(runId)) fail(`${where}.run_id`, "expected 32 hex digits");
    return {
      name,
      cmd: commandText(stage.cmd),
      state: state as StageState,
      runId,
      deps: listAt(stage.deps ?? [], `${where}.deps`, MAX_PATHS).map((dep, at) => pathVersion(dep, `${where}.deps[${at}]`)),
      outs: listAt(stage.outs ?? [], `${where}.outs`, MAX_PATHS).map((out, at) => pathVersion(out, `${where}.outs[${at}]`)),
    };
  });
  const edges = listAt(root.edges ?? [], "edges", MAX_EDGES).map((item, index): PipelineEdge => {
    const where = `edges[${index}]`;
    const edge = objectAt(item, where);
    const from = textAt(edge.from, `${where}.from`);
    const to = textAt(edge.to, `${where}.to`);
    if (!names.has(from)) fail(`${where}.from`, `no stage '${from}'`);
    if (!names.has(to)) fail(`${where}.to`, `no stage '${to}'`);
    return { from, to, paths: listAt(edge.paths ?? [], `${where}.paths`, MAX_PATHS).map((p, at) => textAt(p, `${where}.paths[${at}]`)) };
  });
  const gitCommit = typeof root.git_commit === "string" && root.git_commit !== "" ? root.git_commit : undefined;
  return { pipelineFile: typeof root.pipeline_file === "string" ? root.pipeline_file : "dvc.yaml", gitCommit, stages, edges };
};

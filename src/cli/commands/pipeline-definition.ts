import { resolve } from "node:path";
import { metricsDiff as diffMetrics, showMetrics } from "../../pipelines/compare/metrics.js";
import { paramsDiff as diffParams } from "../../pipelines/compare/params-diff.js";
import { comparedSources, workspaceSource } from "../../pipelines/compare/revision-files.js";
import { cell } from "../../pipelines/compare/flatten.js";
import type { ValueChange } from "../../pipelines/compare/value-diff.js";
import { dagView, renderDot, renderMermaid, renderText } from "../../pipelines/definition/dag-render.js";
import { buildGraph } from "../../pipelines/definition/graph.js";
import { loadPipeline } from "../../pipelines/definition/load-pipeline.js";
import type { ResolvedPipeline } from "../../pipelines/definition/resolved-pipeline.js";
import { findWorkspaceRoot } from "../../pipelines/data/workspace.js";
import { PipelineError } from "../../pipelines/errors.js";
import { UsageError } from "../errors.js";
import type { CommandResult } from "../output.js";
import { ownOrCreate, setOwn } from "../../pipelines/definition/own-keys.js";

/**
 * `cairn dag`, `cairn params diff`, `cairn metrics show|diff`: read-only views of the workspace's pipeline. They
 * run nothing, write nothing and need no server.
 */
const workspacePipeline = async (cwd: string): Promise<ResolvedPipeline> => {
  const root = findWorkspaceRoot(cwd);
  if (root === undefined) throw new PipelineError("not a Cairn workspace (run `cairn init`)", { file: resolve(cwd) });
  return loadPipeline(root);
};

export interface DagOptions {
  dot?: boolean;
  mermaid?: boolean;
  json?: boolean;
  downstream?: boolean;
  cwd?: string;
}

export const dag = async (targets: string[], options: DagOptions): Promise<CommandResult> => {
  const formats = [options.dot, options.mermaid, options.json].filter((flag) => flag === true).length;
  if (formats > 1) throw new UsageError("choose one of --dot, --mermaid and --json");
  const pipeline = await workspacePipeline(options.cwd ?? process.cwd());
  const view = dagView(buildGraph(pipeline), targets, options.downstream === true);
  const text = options.dot === true ? renderDot(view) : options.mermaid === true ? renderMermaid(view) : renderText(view);
  return { data: { stages: view.nodes, edges: view.edges }, human: { kind: "message", text } };
};

/** Numbers as they are; a change with its sign (+0.1, -2). */
const changeCell = (row: ValueChange): string => (row.change === undefined ? "-" : `${row.change > 0 ? "+" : ""}${row.change}`);

/** JSON as DVC shapes it: file -> key -> {old, new, diff}. */
const byFile = (rows: ValueChange[]): Record<string, Record<string, { old?: unknown; new?: unknown; diff?: number }>> => {
  const out: Record<string, Record<string, { old?: unknown; new?: unknown; diff?: number }>> = {};
  for (const row of rows) {
    setOwn(ownOrCreate(out, row.file, () => ({})), row.key, {
      ...("old" in row ? { old: row.old } : {}),
      ...("new" in row ? { new: row.new } : {}),
      ...(row.change === undefined ? {} : { diff: row.change }),
    });
  }
  return out;
};

const diffTable = (rows: ValueChange[], what: string, labels: [string, string], all: boolean): CommandResult => ({
  data: byFile(rows),
  human: {
    kind: "table",
    columns: ["PATH", what.toUpperCase(), `OLD (${labels[0]})`, `NEW (${labels[1]})`, "CHANGE"],
    rows: rows.map((row) => [row.file, row.key, cell(row.old, "old" in row), cell(row.new, "new" in row), changeCell(row)]),
    empty: all ? `No ${what}s.` : `No ${what} changed between ${labels[0]} and ${labels[1]} (--all lists unchanged ones too).`,
  },
});

export interface CompareOptions {
  all?: boolean;
  cwd?: string;
}

export const paramsDiff = async (revs: string[], options: CompareOptions): Promise<CommandResult> => {
  const pipeline = await workspacePipeline(options.cwd ?? process.cwd());
  const [a, b] = await comparedSources(pipeline.root, revs);
  return diffTable(await diffParams(pipeline, a, b, { all: options.all === true }), "param", [a.label, b.label], options.all === true);
};

export const metricsDiff = async (revs: string[], options: CompareOptions): Promise<CommandResult> => {
  const pipeline = await workspacePipeline(options.cwd ?? process.cwd());
  const [a, b] = await comparedSources(pipeline.root, revs);
  return diffTable(await diffMetrics(pipeline, a, b, { all: options.all === true }), "metric", [a.label, b.label], options.all === true);
};

export const metricsShow = async (options: { cwd?: string }): Promise<CommandResult> => {
  const pipeline = await workspacePipeline(options.cwd ?? process.cwd());
  const files = await showMetrics(pipeline, workspaceSource(pipeline.root));
  const rows: string[][] = [];
  for (const { file, values } of files) {
    if (values === undefined) rows.push([file, "-", "(missing)"]);
    else for (const [key, value] of Object.entries(values)) rows.push([file, key, cell(value, true)]);
  }
  return {
    data: Object.fromEntries(files.map(({ file, values }) => [file, values ?? null])),
    human: { kind: "table", columns: ["PATH", "METRIC", "VALUE"], rows, empty: "No metrics files: the pipeline file lists no `metrics` (in a stage or at the top level)." },
  };
};

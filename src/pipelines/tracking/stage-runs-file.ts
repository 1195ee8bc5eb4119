import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { TMP_DIR, WORKSPACE_DIR } from "../data/cache-layout.js";

/**
 * `.cairn/tmp/stage-runs.json`: stage name -> the id of the last run the workspace made for it. A stage that a later
 * repro skips (nothing changed) still points at the run that produced its outputs in the pipeline summary. Local
 * state only (tmp/ is git-ignored): a missing or damaged file is the same as an empty one.
 */
export const STAGE_RUNS_FILE = "stage-runs.json";
const MAX_ENTRIES = 10_000;
const RUN_ID = /^[0-9a-f]{32}$/;

export const stageRunsPath = (root: string): string => path.join(root, WORKSPACE_DIR, TMP_DIR, STAGE_RUNS_FILE);

export const readStageRuns = async (root: string): Promise<Record<string, string>> => {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(stageRunsPath(root), "utf8"));
  } catch {
    return {};
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return {};
  const runs: Record<string, string> = {};
  for (const [stage, runId] of Object.entries(data).slice(0, MAX_ENTRIES)) {
    if (typeof runId === "string" && RUN_ID.test(runId)) runs[stage] = runId;
  }
  return runs;
};

/** Merges `updates` into the file (written to a temporary name, then renamed: never half-written). */
export const recordStageRuns = async (root: string, updates: Record<string, string>): Promise<void> => {
  const file = stageRunsPath(root);
  const merged = { ...(await readStageRuns(root)), ...updates };
  const entries = Object.entries(merged);
  const kept = Object.fromEntries(entries.slice(Math.max(0, entries.length - MAX_ENTRIES)));
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  try {
    await writeFile(partial, `${JSON.stringify(kept, null, 2)}\n`);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
};

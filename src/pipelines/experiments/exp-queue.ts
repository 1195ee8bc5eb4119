import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { TMP_DIR, WORKSPACE_DIR } from "../data/cache-layout.js";
import { PipelineError } from "../errors.js";
import { MAX_OVERRIDES, parseParamOverride, type ParamOverride } from "./param-overrides.js";

/**
 * Queued experiments: `.cairn/tmp/exp-queue/<name>.json`, one file per experiment, written by `cairn exp run --queue`
 * and consumed by `--run-all` (removed on success, kept with the error on failure). Local to the workspace (tmp/ is
 * git-ignored), as DVC's queue is local to a repository.
 */
export const EXP_QUEUE_DIR = "exp-queue";
export const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A queue longer than this is refused: each entry is a full repro. */
export const MAX_QUEUED = 1000;

export interface QueuedExperiment {
  name: string;
  /** The `-S` arguments as typed (FILE:KEY=VALUE), re-parsed when the experiment runs. */
  params: string[];
  queuedAtMs: number;
  /** Set when a --run-all attempt failed. */
  error?: string;
  failedAtMs?: number;
}

export const queueDir = (root: string): string => path.join(root, WORKSPACE_DIR, TMP_DIR, EXP_QUEUE_DIR);
const entryPath = (root: string, name: string): string => path.join(queueDir(root), `${name}.json`);

/** A random name as DVC gives one: "exp-" and 6 hex digits. */
export const newExperimentName = (): string => `exp-${randomBytes(3).toString("hex")}`;

export const checkExperimentName = (name: string): string => {
  if (!EXPERIMENT_NAME.test(name)) {
    throw new PipelineError(`experiment name '${name.slice(0, 100)}': use letters, digits, '.', '_', '-' (at most 64, starting with a letter or digit)`);
  }
  return name;
};

/** The canonical FILE:KEY=VALUE form of an override, so a queued entry names its file explicitly. */
export const overrideArgument = (override: ParamOverride): string => `${override.file}:${override.key}=${override.text}`;

const parseEntry = (text: string, name: string): QueuedExperiment => {
  const file = `${WORKSPACE_DIR}/${TMP_DIR}/${EXP_QUEUE_DIR}/${name}.json`;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new PipelineError("malformed queued experiment: not JSON", { file });
  }
  const record = data as Partial<QueuedExperiment> | null;
  if (
    typeof record !== "object" ||
    record === null ||
    record.name !== name ||
    !Array.isArray(record.params) ||
    record.params.length > MAX_OVERRIDES ||
    !record.params.every((param) => typeof param === "string") ||
    typeof record.queuedAtMs !== "number"
  ) {
    throw new PipelineError("malformed queued experiment: expected {name, params: [FILE:KEY=VALUE...], queuedAtMs}", { file });
  }
  for (const param of record.params) parseParamOverride(param);
  return {
    name,
    params: [...record.params],
    queuedAtMs: record.queuedAtMs,
    ...(typeof record.error === "string" ? { error: record.error } : {}),
    ...(typeof record.failedAtMs === "number" ? { failedAtMs: record.failedAtMs } : {}),
  };
};

const writeEntry = async (root: string, entry: QueuedExperiment): Promise<void> => {
  await mkdir(queueDir(root), { recursive: true });
  const file = entryPath(root, entry.name);
  const partial = `${file}.${process.pid}.partial`;
  try {
    await writeFile(partial, `${JSON.stringify(entry, null, 2)}\n`);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
};

/** The queue in the order it was filled (oldest first), names breaking ties. */
export const listQueue = async (root: string): Promise<QueuedExperiment[]> => {
  let names: string[];
  try {
    names = (await readdir(queueDir(root))).filter((file) => file.endsWith(".json")).map((file) => file.slice(0, -5));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: QueuedExperiment[] = [];
  for (const name of names.filter((candidate) => EXPERIMENT_NAME.test(candidate)).slice(0, MAX_QUEUED)) {
    entries.push(parseEntry(await readFile(entryPath(root, name), "utf8"), name));
  }
  return entries.sort((a, b) => a.queuedAtMs - b.queuedAtMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
};

/** Adds an experiment; a name already queued is an error (remove it first). */
export const enqueue = async (root: string, name: string, overrides: readonly ParamOverride[], now = Date.now()): Promise<QueuedExperiment> => {
  checkExperimentName(name);
  const existing = await listQueue(root);
  if (existing.some((entry) => entry.name === name)) throw new PipelineError(`experiment '${name}' is already queued (cairn exp remove ${name})`);
  if (existing.length >= MAX_QUEUED) throw new PipelineError(`the queue holds ${MAX_QUEUED} experiments already: run or remove some first`);
  const entry: QueuedExperiment = { name, params: overrides.map(overrideArgument), queuedAtMs: now };
  await writeEntry(root, entry);
  return entry;
};

/** Keeps a failed experiment in the queue with why it failed. */
export const markFailed = async (root: string, entry: QueuedExperiment, error: string, now = Date.now()): Promise<void> => {
  await writeEntry(root, { ...entry, error: error.slice(0, 4000), failedAtMs: now });
};

/** Removes one queued experiment; false when there was none by that name. */
export const dequeue = async (root: string, name: string): Promise<boolean> => {
  if (!EXPERIMENT_NAME.test(name)) return false;
  try {
    await rm(entryPath(root, name));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
};

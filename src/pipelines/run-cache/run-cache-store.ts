import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parse, stringify } from "yaml";
import { runCacheKeyPath } from "../data/cache-layout.js";
import { parseLockStage, serializeLockStage, type LockStage } from "../lock/lock-file.js";
import { PipelineError } from "../errors.js";

/**
 * Run-cache entries, one per key: `.cairn/cache/runs/<2 hex>/<62 hex>.yaml` holding what the stage produced (the
 * lock entry's shape) and the tracking run that produced it. The entry lives in the cache folder because it is only
 * useful with the cache's objects; it is written to tmp/ and renamed, so a reader never sees half an entry.
 */
export interface RunCacheEntry {
  stage: LockStage;
  /** The tracking run whose outputs these are, when tracking was on. */
  runId?: string;
}

const RUN_ID = /^[0-9a-f]{32}$/;
/** An entry is small (a lock stage); anything bigger is not one of ours. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/** The entry for `key`, or undefined when there is none or it is unreadable (then the stage simply runs). */
export const readRunCacheEntry = async (cacheDir: string, key: string, stage: string): Promise<RunCacheEntry | undefined> => {
  const file = runCacheKeyPath(cacheDir, key);
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_ENTRY_BYTES) return undefined;
    text = bytes.toString("utf8");
  } catch {
    return undefined;
  }
  try {
    const data: unknown = parse(text, { maxAliasCount: 0 });
    if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
    const record = data as Record<string, unknown>;
    const entry = parseLockStage(record.stage, file, stage);
    const runId = typeof record.run_id === "string" && RUN_ID.test(record.run_id) ? record.run_id : undefined;
    return { stage: entry, ...(runId === undefined ? {} : { runId }) };
  } catch (error) {
    // A damaged entry must not stop a repro: the stage runs and its new entry replaces this one.
    if (error instanceof PipelineError || error instanceof Error) return undefined;
    throw error;
  }
};

export const writeRunCacheEntry = async (cacheDir: string, tmpDir: string, key: string, entry: RunCacheEntry): Promise<void> => {
  const file = runCacheKeyPath(cacheDir, key);
  await mkdir(path.dirname(file), { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `run-${key.slice(0, 16)}-${randomBytes(6).toString("hex")}.yaml`);
  const text = stringify({ ...(entry.runId === undefined ? {} : { run_id: entry.runId }), stage: serializeLockStage(entry.stage) });
  try {
    await writeFile(tmp, text, { mode: 0o444 });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
};

import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { LOCK_FILE, parseLockFile, parseLockStage, serializeLockFile, serializeLockStage, type LockFile, type LockStage } from "./lock-file.js";

/** `cairn.lock` beside the pipeline file (both workspace-relative, POSIX). */
export const lockFileOf = (pipelineFile: string): string => {
  const dir = path.posix.dirname(pipelineFile);
  return dir === "." ? LOCK_FILE : `${dir}/${LOCK_FILE}`;
};

/**
 * The parsed lock file, kept as JSON in the workspace's tmp folder under the sha256 of the lock file's text. YAML
 * parsing is the biggest cost of a repro with nothing to do (a 20-stage lock file is 12 KB, 40 to 100 ms to parse
 * with the yaml package, against 1 ms for JSON), so the YAML is parsed only when its text changed. The cached data
 * goes through the same checks as parsed YAML, so a damaged cache file is at worst ignored.
 */
const parsedCacheFile = (tmpDir: string, lockFile: string): string => path.join(tmpDir, `${lockFile.replaceAll("/", "__")}.parsed.json`);

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

const fromCache = async (cacheFile: string, digest: string, file: string): Promise<LockFile | undefined> => {
  try {
    const cached = JSON.parse(await readFile(cacheFile, "utf8")) as { sha256?: unknown; stages?: unknown };
    if (cached.sha256 !== digest || typeof cached.stages !== "object" || cached.stages === null || Array.isArray(cached.stages)) return undefined;
    const stages: Record<string, LockStage> = {};
    for (const [name, raw] of Object.entries(cached.stages as Record<string, unknown>)) stages[name] = parseLockStage(raw, file, name);
    return { stages };
  } catch {
    return undefined;
  }
};

const writeCache = async (tmpDir: string, cacheFile: string, digest: string, lock: LockFile): Promise<void> => {
  const stages = Object.fromEntries(Object.entries(lock.stages).map(([name, stage]) => [name, serializeLockStage(stage)]));
  const tmp = path.join(tmpDir, `lock-parsed-${randomBytes(6).toString("hex")}.tmp`);
  try {
    await mkdir(tmpDir, { recursive: true });
    await writeFile(tmp, JSON.stringify({ sha256: digest, stages }));
    await rename(tmp, cacheFile);
  } catch {
    // Only a speed-up: the next read parses the YAML again.
    await rm(tmp, { force: true }).catch(() => undefined);
  }
};

/**
 * The lock file of a pipeline; none yet is an empty one. A malformed one is a PipelineError naming it. With
 * `tmpDir` (the workspace's `.cairn/tmp`), the parse is remembered there for the same text.
 */
export const readLock = async (root: string, pipelineFile: string, tmpDir?: string): Promise<LockFile> => {
  const file = lockFileOf(pipelineFile);
  let text: string;
  try {
    text = await readFile(path.join(root, ...file.split("/")), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { stages: {} };
    throw error;
  }
  if (tmpDir === undefined) return parseLockFile(text, file);
  const digest = sha256(text);
  const cacheFile = parsedCacheFile(tmpDir, file);
  const cached = await fromCache(cacheFile, digest, file);
  if (cached !== undefined) return cached;
  const lock = parseLockFile(text, file);
  await writeCache(tmpDir, cacheFile, digest, lock);
  return lock;
};

/**
 * Records one stage's entry: the lock file is read again (another stage of this repro may have written it), the
 * entry set, the stages put in the pipeline file's order with those no longer in the pipeline dropped, and the whole
 * file written to `tmpDir` and renamed over the old one, so a reader (or a crash) never sees half a lock file. The
 * caller holds the workspace lock.
 */
export const writeLockStage = async (
  root: string,
  pipelineFile: string,
  stageOrder: readonly string[],
  stage: string,
  entry: LockStage,
  tmpDir: string,
): Promise<void> => {
  const current = await readLock(root, pipelineFile, tmpDir);
  const merged: Record<string, LockStage> = { ...current.stages, [stage]: entry };
  const ordered: Record<string, LockStage> = {};
  for (const name of stageOrder) {
    const value = merged[name];
    if (value !== undefined) ordered[name] = value;
  }
  const target = path.join(root, ...lockFileOf(pipelineFile).split("/"));
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `lock-${randomBytes(6).toString("hex")}.tmp`);
  const text = serializeLockFile({ stages: ordered });
  try {
    await writeFile(tmp, text);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await writeCache(tmpDir, parsedCacheFile(tmpDir, lockFileOf(pipelineFile)), sha256(text), { stages: ordered });
};

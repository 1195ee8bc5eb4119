import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { LOCK_FILE, parseLockFile, serializeLockFile, type LockFile, type LockStage } from "./lock-file.js";

/** `cairn.lock` beside the pipeline file (both workspace-relative, POSIX). */
export const lockFileOf = (pipelineFile: string): string => {
  const dir = path.posix.dirname(pipelineFile);
  return dir === "." ? LOCK_FILE : `${dir}/${LOCK_FILE}`;
};

/** The lock file of a pipeline; none yet is an empty one. A malformed one is a PipelineError naming it. */
export const readLock = async (root: string, pipelineFile: string): Promise<LockFile> => {
  const file = lockFileOf(pipelineFile);
  let text: string;
  try {
    text = await readFile(path.join(root, ...file.split("/")), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { stages: {} };
    throw error;
  }
  return parseLockFile(text, file);
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
  const current = await readLock(root, pipelineFile);
  const merged: Record<string, LockStage> = { ...current.stages, [stage]: entry };
  const ordered: Record<string, LockStage> = {};
  for (const name of stageOrder) {
    const value = merged[name];
    if (value !== undefined) ordered[name] = value;
  }
  const target = path.join(root, ...lockFileOf(pipelineFile).split("/"));
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, `lock-${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, serializeLockFile({ stages: ordered }));
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
};

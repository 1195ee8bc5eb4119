import { readFile } from "node:fs/promises";
import path from "node:path";
import { PipelineError } from "../errors.js";
import { findPointers } from "../data/pointers.js";
import type { Workspace } from "../data/workspace.js";
import type { HashInfo } from "../data/hash-info.js";
import { parsePointerFile, POINTER_SUFFIX } from "../data/pointer-file.js";
import { LOCK_FILE, parseLockFile } from "../lock/lock-file.js";

/**
 * The workspace files that name data versions: `*.cairn` pointer files anywhere below the root and `cairn.lock`
 * at the root. Shared by push/pull/fetch (what to transfer) and gc (what to keep).
 */
/** A data version and where it was named ("data/images.cairn", "cairn.lock: train"). */
export interface NamedVersion {
  /** Workspace-relative path of the data. */
  path: string;
  info: HashInfo;
  from: string;
}

const posixJoin = (dir: string, rel: string): string => (dir === "" || dir === "." ? rel : `${dir}/${rel}`);

export const versionsOfPointer = (text: string, relFile: string): NamedVersion[] => {
  const dir = path.posix.dirname(relFile);
  return parsePointerFile(text, relFile).outs.map((out) => ({
    path: posixJoin(dir, out.path),
    info: { hash: out.hash, size: out.size, ...(out.nfiles !== undefined ? { nfiles: out.nfiles } : {}) },
    from: relFile,
  }));
};

/** A lock file's outputs (deps are other stages' outputs or files the user tracks otherwise). */
export const versionsOfLock = (text: string, relFile: string, withDeps = false): NamedVersion[] => {
  const lock = parseLockFile(text, relFile);
  const versions: NamedVersion[] = [];
  for (const [stage, entry] of Object.entries(lock.stages)) {
    for (const out of [...entry.outs, ...(withDeps ? entry.deps : [])]) {
      versions.push({ path: out.path, info: { hash: out.hash, size: out.size, ...(out.nfiles !== undefined ? { nfiles: out.nfiles } : {}) }, from: `${relFile}: ${stage}` });
    }
  }
  return versions;
};

const readIfExists = async (file: string): Promise<string | undefined> => {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
};

/** Every data version the workspace's pointer files (found as `cairn status` finds them) and lock file name. */
export const workspaceVersions = async (ws: Workspace, options: { lockDeps?: boolean } = {}): Promise<NamedVersion[]> => {
  const versions: NamedVersion[] = [];
  for (const found of findPointers(ws)) {
    found.pointer.outs.forEach((out, index) => {
      versions.push({ path: found.paths[index] ?? out.path, info: { hash: out.hash, size: out.size, ...(out.nfiles !== undefined ? { nfiles: out.nfiles } : {}) }, from: found.file });
    });
  }
  const lock = await readIfExists(path.join(ws.root, LOCK_FILE));
  if (lock !== undefined) versions.push(...versionsOfLock(lock, LOCK_FILE, options.lockDeps));
  return versions;
};

/**
 * The versions the user named: a pointer file (`data.cairn`), a tracked path (`data`, whose `data.cairn` exists), or
 * an output in cairn.lock (its path). No targets: everything in the workspace.
 */
export const targetVersions = async (ws: Workspace, cwd: string, targets: readonly string[]): Promise<NamedVersion[]> => {
  const root = ws.root;
  if (targets.length === 0) return workspaceVersions(ws);
  const lockText = await readIfExists(path.join(root, LOCK_FILE));
  const lockOuts = lockText === undefined ? [] : versionsOfLock(lockText, LOCK_FILE);
  const chosen: NamedVersion[] = [];
  for (const target of targets) {
    const absolute = path.resolve(cwd, target);
    const rel = path.relative(root, absolute).split(path.sep).join("/");
    if (rel.startsWith("..") || path.isAbsolute(rel)) throw new PipelineError(`target '${target}' is outside the workspace`);
    const pointer = rel.endsWith(POINTER_SUFFIX) ? rel : `${rel}${POINTER_SUFFIX}`;
    const text = await readIfExists(path.join(root, pointer));
    if (text !== undefined) {
      chosen.push(...versionsOfPointer(text, pointer));
      continue;
    }
    const outs = lockOuts.filter((out) => out.path === rel);
    if (outs.length === 0) throw new PipelineError(`no pointer file or ${LOCK_FILE} output for '${target}'`);
    chosen.push(...outs);
  }
  return chosen;
};

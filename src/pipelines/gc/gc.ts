import { readFile, rmdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { PipelineError } from "../errors.js";
import { objectPath } from "../data/cache-layout.js";
import { hasObject, readManifestObject } from "../data/cache-objects.js";
import { isDirHash, isObjectHash } from "../data/hash-info.js";
import { parsePointerFile } from "../data/pointer-file.js";
import type { Workspace } from "../data/workspace.js";
import { parseLockFile } from "../lock/lock-file.js";
import { workspaceVersions } from "../remote/workspace-files.js";
import { forEachLimit } from "../remote/pool.js";
import { cachedObjects, leftoverTempFiles, runCacheEntries } from "./cache-inventory.js";
import { gitFiles, type RefSelection } from "./git-files.js";

/**
 * `cairn cache gc`: removes from the local cache every object nothing references any more. Kept: what the workspace's
 * pointer and lock files name, what those files name in every git branch and tag, and what the Cairn server's runs
 * and registered model versions recorded (data/references). A source that cannot be read (git failing, a malformed
 * pointer file in some branch, the server unreachable or refusing) stops gc before anything is removed: a check that
 * could not run is never a pass (DVC's gc removed data users needed, treeverse/dvc#2325).
 *
 * Temporary files of killed fetches beside the objects go too (every cache writer holds the lock gc holds).
 *
 * Removal order makes an interruption (even SIGKILL) harmless: run-cache entries whose objects go first, then
 * manifests, then files. So every manifest left in the cache still has all its files, and every run-cache entry left
 * still has its outputs; a later gc finds the same garbage minus what is gone and finishes.
 */
export interface GcOptions {
  dryRun: boolean;
  /** undefined: git is not consulted beyond... nothing (only the workspace's files); else which refs. */
  git: RefSelection;
  /** The server's references, or undefined to skip them (`--no-server`). */
  serverReferences?: () => Promise<string[]>;
  /** Test hook: called after each removal (an interruption is simulated by throwing). */
  onRemoved?: (file: string) => void;
}

export interface GcReport {
  dryRun: boolean;
  kept: number;
  removed: { objects: number; manifests: number; bytes: number; runCacheEntries: number; tempFiles: number };
  /** The objects removed (or that would be), manifests first. */
  objects: string[];
  sources: { workspaceFiles: number; gitRefs: number; gitCommits: number; gitFiles: number; serverReferences: number | null };
}

const REMOVE_CONCURRENCY = 16;

const nothingRemoved = (error: unknown): never => {
  if (error instanceof PipelineError && error.message.includes("nothing was removed")) throw error;
  const message = error instanceof Error ? error.message : String(error);
  throw new PipelineError(`gc stopped, nothing was removed: ${message}`);
};

/** Every object hash a run-cache entry's outputs need (outs of its stage), or undefined when it cannot be read. */
const entryOutputs = async (file: string): Promise<string[] | undefined> => {
  try {
    const data = parse(await readFile(file, "utf8"), { maxAliasCount: 0 }) as { stage?: { outs?: unknown } } | null;
    const outs = data?.stage?.outs;
    if (!Array.isArray(outs)) return undefined;
    const hashes: string[] = [];
    for (const out of outs) {
      const hash = (out as { sha256?: unknown } | null)?.sha256;
      if (!isObjectHash(hash)) return undefined;
      hashes.push(hash);
    }
    return hashes;
  } catch {
    return undefined;
  }
};

const sizeOf = async (file: string): Promise<number> => {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
};

export const runGc = async (ws: Workspace, options: GcOptions): Promise<GcReport> =>
  ws.withLock(async () => {
    // 1. Every root the sources name. Any failure here stops gc with nothing removed.
    const roots = new Set<string>();
    let workspaceCount = 0;
    let git = { files: 0, refs: 0, commits: 0 };
    let serverCount: number | null = null;
    try {
      const local = await workspaceVersions(ws, { lockDeps: true });
      workspaceCount = local.length;
      for (const version of local) roots.add(version.info.hash);
      const fromGit = await gitFiles(ws.root, options.git);
      git = { files: fromGit.files.length, refs: fromGit.refs, commits: fromGit.commits };
      for (const file of fromGit.files) {
        if (file.kind === "pointer") for (const out of parsePointerFile(file.text, file.label).outs) roots.add(out.hash);
        else for (const stage of Object.values(parseLockFile(file.text, file.label).stages)) for (const entry of [...stage.outs, ...stage.deps]) roots.add(entry.hash);
      }
      if (options.serverReferences !== undefined) {
        const hashes = await options.serverReferences();
        serverCount = hashes.length;
        for (const hash of hashes) if (isObjectHash(hash)) roots.add(hash);
      }
    } catch (error) {
      return nothingRemoved(error);
    }

    // 2. The closure: a kept manifest keeps its files (read from the cache, verified).
    const keep = new Set<string>();
    try {
      for (const hash of roots) {
        keep.add(hash);
        if (isDirHash(hash) && hasObject(ws, hash)) for (const entry of await readManifestObject(ws, hash, hash)) keep.add(entry.sha256);
      }
    } catch (error) {
      return nothingRemoved(error);
    }

    // 3. Garbage, and the run-cache entries that would lose an output.
    const cached = await cachedObjects(ws.cacheDir);
    const garbage = cached.filter((hash) => !keep.has(hash));
    const manifests = garbage.filter(isDirHash);
    const files = garbage.filter((hash) => !isDirHash(hash));
    const doomedEntries: string[] = [];
    for (const entry of await runCacheEntries(ws.cacheDir)) {
      const outputs = await entryOutputs(entry.file);
      // A damaged entry is useless to repro (it runs the stage instead): it goes too.
      if (outputs === undefined || outputs.some((hash) => !keep.has(hash))) doomedEntries.push(entry.file);
    }
    const temps = await leftoverTempFiles(ws.cacheDir);
    let bytes = 0;
    for (const hash of garbage) bytes += await sizeOf(objectPath(ws.cacheDir, hash));
    for (const file of temps) bytes += await sizeOf(file);
    const report: GcReport = {
      dryRun: options.dryRun,
      kept: cached.length - garbage.length,
      removed: { objects: files.length, manifests: manifests.length, bytes, runCacheEntries: doomedEntries.length, tempFiles: temps.length },
      objects: [...manifests, ...files],
      sources: { workspaceFiles: workspaceCount, gitRefs: git.refs, gitCommits: git.commits, gitFiles: git.files, serverReferences: serverCount },
    };
    if (options.dryRun) return report;

    // 4. Remove, in the order that keeps every remaining entry and manifest whole.
    const remove = async (file: string): Promise<void> => {
      try {
        await unlink(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
      options.onRemoved?.(file);
    };
    for (const phase of [temps, doomedEntries, manifests.map((hash) => objectPath(ws.cacheDir, hash)), files.map((hash) => objectPath(ws.cacheDir, hash))]) {
      const failures = await forEachLimit(phase, REMOVE_CONCURRENCY, remove);
      if (failures[0] !== undefined) throw failures[0].error;
    }
    // Empty prefix folders are tidied, best effort (a concurrent writer may be filling one).
    const folders = new Set([...doomedEntries, ...garbage.map((hash) => objectPath(ws.cacheDir, hash))].map((file) => path.dirname(file)));
    for (const folder of folders) await rmdir(folder).catch(() => undefined);
    return report;
  });

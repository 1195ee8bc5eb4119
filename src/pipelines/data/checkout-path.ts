import { lstatSync, readdirSync, rmdirSync } from "node:fs";
import { rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { PipelineError } from "../errors.js";
import { mapBounded } from "./bounded-map.js";
import { missingObjects, readManifestObject, verifyObject } from "./cache-objects.js";
import type { DirEntry } from "./dir-manifest.js";
import { isDirHash, type HashInfo } from "./hash-info.js";
import { linkFromCache } from "./links.js";
import { HASH_CONCURRENCY, scanPath, type ScannedFile } from "./scan-path.js";
import { keyOfPath } from "./file-key.js";
import type { LinkType } from "./workspace-config.js";
import type { Workspace } from "./workspace.js";
import { absoluteOf, toWorkspaceRelative } from "./workspace-path.js";

export interface CheckoutOptions {
  /** Link types to try instead of the config's (`cairn checkout --link-type`). */
  linkTypes?: readonly LinkType[];
}

/** Objects whose absence is listed in one error: enough to act on, not a flood. */
const MAX_NAMED_MISSING = 5;

const existsNoFollow = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Makes the workspace path hold exactly `info` from the cache: files whose bytes already match are left alone,
 * others are replaced by links (the configured type), files a directory version does not list are removed. Every
 * object is checked before the workspace is touched: a missing or corrupted object is a PipelineError naming the
 * path and the hash, and nothing changed. Runs under the workspace lock.
 */
export const checkoutPath = async (ws: Workspace, relPath: string, info: HashInfo, options: CheckoutOptions = {}): Promise<"unchanged" | "restored"> => {
  const rel = toWorkspaceRelative(ws.root, relPath);
  const abs = absoluteOf(ws.root, rel);
  return ws.withLock(async () => {
    const types = options.linkTypes ?? ws.config.cache.type;
    if (!isDirHash(info.hash)) return checkoutFile(ws, rel, abs, info, types);
    return checkoutDir(ws, rel, abs, info, types);
  });
};

const currentFiles = async (ws: Workspace, rel: string, abs: string): Promise<{ kind: "none" | "file" | "dir"; files: ScannedFile[] }> => {
  if (!existsNoFollow(abs)) return { kind: "none", files: [] };
  if (!lstatSync(abs).isDirectory()) {
    try {
      return { kind: "file", files: (await scanPath(ws, rel)).files };
    } catch {
      // A broken link or one that leads out: not what this version holds, so it is replaced (never followed).
      return { kind: "file", files: [] };
    }
  }
  return { kind: "dir", files: (await scanPath(ws, rel)).files };
};

const checkoutFile = async (ws: Workspace, rel: string, abs: string, info: HashInfo, types: readonly LinkType[]): Promise<"unchanged" | "restored"> => {
  const current = await currentFiles(ws, rel, abs);
  if (current.kind === "file" && current.files[0]?.hash === info.hash) return "unchanged";
  const object = await verifyObject(ws, info.hash, rel);
  if (current.kind === "dir") await rm(abs, { recursive: true, force: true });
  await linkFromCache(ws, object, abs, types);
  ws.state.record([{ key: keyOfPath(abs), hash: info.hash }]);
  return "restored";
};

const checkoutDir = async (ws: Workspace, rel: string, abs: string, info: HashInfo, types: readonly LinkType[]): Promise<"unchanged" | "restored"> => {
  const entries = await readManifestObject(ws, info.hash, rel);
  const current = await currentFiles(ws, rel, abs);
  const byPath = new Map<string, ScannedFile>(current.kind === "dir" ? current.files.map((file) => [file.relpath, file]) : []);
  const wanted = new Set(entries.map((entry) => entry.relpath));
  const toLink: DirEntry[] = entries.filter((entry) => byPath.get(entry.relpath)?.hash !== entry.sha256);
  const extras = current.kind === "dir" ? current.files.filter((file) => !wanted.has(file.relpath)) : [];
  if (toLink.length === 0 && extras.length === 0 && current.kind === "dir") return "unchanged";

  // Every object first: a missing or damaged one stops the checkout before the workspace changes.
  const hashes = [...new Set(toLink.map((entry) => entry.sha256))];
  const missing = missingObjects(ws, hashes);
  const objects = new Map<string, string>();
  if (missing.length === 0) {
    await mapBounded(hashes, HASH_CONCURRENCY, async (hash) => {
      objects.set(hash, await verifyObject(ws, hash, rel));
    });
  }
  if (missing.length > 0) {
    const named = missing.slice(0, MAX_NAMED_MISSING).join(", ");
    const more = missing.length > MAX_NAMED_MISSING ? ` and ${missing.length - MAX_NAMED_MISSING} more` : "";
    throw new PipelineError(`${missing.length} cache object(s) of ${info.hash} are missing: ${named}${more} (run \`cairn pull\`)`, { file: rel });
  }

  if (current.kind === "file") await unlink(abs);
  for (const extra of extras) await unlink(extra.abs);
  if (extras.length > 0) removeEmptyDirs(abs);
  const linked = await mapBounded(toLink, HASH_CONCURRENCY, async (entry) => {
    const dest = join(abs, ...entry.relpath.split("/"));
    await linkFromCache(ws, objects.get(entry.sha256) as string, dest, types);
    return { key: keyOfPath(dest), hash: entry.sha256 };
  });
  // The restored files are known by their hash: the next status reads none of them.
  ws.state.record(linked);
  return "restored";
};

/** Removes folders left empty under `dir` (after extra files were removed), keeping `dir` itself. */
const removeEmptyDirs = (dir: string): void => {
  const visit = (path: string): boolean => {
    let empty = true;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory() && visit(join(path, entry.name))) rmdirSync(join(path, entry.name));
      else empty = false;
    }
    return empty;
  };
  visit(dir);
};

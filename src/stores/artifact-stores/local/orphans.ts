import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { OrphanedUpload } from "../../../artifacts/store.js";
import { isOrphanedStaging, TEMP_FILE_MAX_AGE_MS } from "./stale.js";

/**
 * Floors under `cairn gc --older-than` for staging entries: a temporary file untouched for an hour belongs to no live
 * upload (its mtime moves with every chunk; one of a dead process of this host goes at once); a multipart upload's
 * parts may arrive hours apart, so one goes only after a day without a new part.
 */
export const MULTIPART_ORPHAN_FLOOR_MS = 24 * 60 * 60 * 1000;

const sizeOf = async (dir: string): Promise<number> => {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const info = await stat(path.join(dir, name)).catch(() => undefined);
    if (info?.isFile() === true) total += info.size;
  }
  return total;
};

export const listLocalOrphans = async (tempDir: string, uploadsDir: string, minAgeMs: number, now: number): Promise<OrphanedUpload[]> => {
  const found: OrphanedUpload[] = [];
  for (const name of (await readdir(tempDir).catch(() => [] as string[])).sort()) {
    const info = await stat(path.join(tempDir, name)).catch(() => undefined);
    if (info?.isFile() !== true || !isOrphanedStaging(name, info.mtimeMs, Math.max(minAgeMs, TEMP_FILE_MAX_AGE_MS), now)) continue;
    found.push({ kind: "partial-file", id: name, bytes: info.size, modifiedTime: Math.floor(info.mtimeMs) });
  }
  for (const id of (await readdir(uploadsDir).catch(() => [] as string[])).sort()) {
    const dir = path.join(uploadsDir, id);
    const info = await stat(dir).catch(() => undefined);
    if (info?.isDirectory() !== true || now - info.mtimeMs <= Math.max(minAgeMs, MULTIPART_ORPHAN_FLOOR_MS)) continue;
    const recorded = await readFile(path.join(dir, "upload.json"), "utf8").then((text) => JSON.parse(text) as { key?: unknown }).catch(() => undefined);
    found.push({
      kind: "multipart-upload",
      id,
      ...(typeof recorded?.key === "string" ? { key: recorded.key } : {}),
      bytes: await sizeOf(dir),
      modifiedTime: Math.floor(info.mtimeMs),
    });
  }
  return found;
};

/** Removes one leftover by its staging name; a name with a path separator names nothing here. */
export const removeLocalOrphan = async (tempDir: string, uploadsDir: string, upload: OrphanedUpload): Promise<void> => {
  if (upload.id === "" || upload.id.includes("/") || upload.id.includes("\\") || upload.id === "." || upload.id === "..") return;
  const base = upload.kind === "partial-file" ? tempDir : uploadsDir;
  await rm(path.join(base, upload.id), { recursive: true, force: true });
};

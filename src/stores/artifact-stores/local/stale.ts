import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Leftovers of a crash (a temporary file whose upload never finished) or of clients that never completed nor
 * aborted a multipart upload. Only entries older than a cut-off go: several servers may share one root, and a
 * fresh entry may belong to an upload that another server is receiving right now. A temporary file's mtime moves with
 * every chunk written, so one untouched for an hour belongs to no live upload (a request idle that long is long gone);
 * a multipart upload's parts may legitimately arrive days apart.
 */
export const TEMP_FILE_MAX_AGE_MS = 60 * 60 * 1000;
export const MULTIPART_UPLOAD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export const removeEntriesOlderThan = async (dir: string, maxAgeMs: number, now: number = Date.now()): Promise<number> => {
  let removed = 0;
  for (const name of await readdir(dir)) {
    const entry = path.join(dir, name);
    const info = await stat(entry).catch(() => undefined);
    if (info && now - info.mtimeMs > maxAgeMs) {
      await rm(entry, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
};

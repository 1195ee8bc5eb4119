import { open } from "node:fs/promises";
import { invalidParameter } from "../../../core/errors.js";
import type { ArtifactContent, ByteRange } from "../../../artifacts/store.js";
import { invalidPath } from "../../../artifacts/artifact-path.js";

/**
 * Opens the file once and streams from that handle, so the size reported and the bytes sent belong to the same
 * file even if the name is replaced meanwhile (an upload renames a new file into place; this handle keeps the old).
 */
export const readFileStream = async (realPath: string, key: string, range?: ByteRange): Promise<ArtifactContent> => {
  const handle = await open(realPath, "r");
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw invalidPath("path", key, "it is a directory; list it or name a file below it");
    if (range && (range.start < 0 || range.end < range.start || range.end >= info.size)) {
      throw invalidParameter(`Range ${range.start}-${range.end} is outside artifact '${key}' of ${info.size} bytes.`);
    }
    const stream = handle.createReadStream({
      highWaterMark: 1024 * 1024,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
    return { stream, size: info.size, ...(range ? { range } : {}) };
  } catch (error) {
    await handle.close();
    throw error;
  }
};

import { createHash, randomUUID } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ByteSource } from "../../../artifacts/store.js";

/**
 * Streams a source into a fresh file in the staging folder (same file system as the root, so the final rename is
 * atomic), counting bytes and optionally hashing them on the way. The file is fsynced before it is handed back, so
 * a crash after the rename cannot leave a torn file behind a complete name. On any failure, including a client
 * that disconnects mid-body, the temporary file is removed and the error rethrown.
 */
export interface TempFile {
  path: string;
  size: number;
  md5?: string;
}

export const streamToTempFile = async (source: ByteSource, stagingDir: string, options: { md5?: boolean } = {}): Promise<TempFile> => {
  const tempPath = path.join(stagingDir, `${randomUUID()}.part`);
  const handle = await open(tempPath, "wx");
  let size = 0;
  const hash = options.md5 ? createHash("md5") : undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      hash?.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, handle.createWriteStream({ autoClose: false, highWaterMark: 1024 * 1024 }));
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return { path: tempPath, size, ...(hash ? { md5: hash.digest("hex") } : {}) };
};

/** Moves a finished temporary file into place, or removes it if that fails. */
export const commitTempFile = async (tempPath: string, target: string): Promise<void> => {
  try {
    await rename(tempPath, target);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
};

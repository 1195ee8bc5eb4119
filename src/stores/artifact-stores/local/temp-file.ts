import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ByteSource } from "../../../artifacts/store.js";
import { stagingOwnerTag } from "./stale.js";

/**
 * Streams a source into a fresh file in the staging folder (same file system as the root, so the final rename is
 * atomic), counting bytes and hashing them (sha256, and md5 when asked) on the way. The file is fsynced before it is handed back, so
 * a crash after the rename cannot leave a torn file behind a complete name. On any failure, including a client
 * that disconnects mid-body, the temporary file is removed and the error rethrown.
 */
export interface TempFile {
  path: string;
  size: number;
  /** sha256 of the bytes written: the digest an artifact write records in its audit event. */
  sha256: string;
  md5?: string;
}

export const streamToTempFile = async (
  source: ByteSource,
  stagingDir: string,
  options: { md5?: boolean; sync?: boolean } = {},
): Promise<TempFile> => {
  const tempPath = path.join(stagingDir, `${stagingOwnerTag()}${randomUUID()}.part`);
  let size = 0;
  const hash = options.md5 ? createHash("md5") : undefined;
  const sha256 = createHash("sha256");
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      hash?.update(chunk);
      sha256.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(tempPath, { flags: "wx", highWaterMark: 1024 * 1024 }));
    if (options.sync === false) return { path: tempPath, size, sha256: sha256.digest("hex"), ...(hash ? { md5: hash.digest("hex") } : {}) };
    // fsync flushes the file's data whichever descriptor asks (a FileHandle write stream that stays open for the
    // sync never settles its pipeline on Node 20).
    const handle = await open(tempPath, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  return { path: tempPath, size, sha256: sha256.digest("hex"), ...(hash ? { md5: hash.digest("hex") } : {}) };
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

import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PipelineError } from "../errors.js";
import { hexOf } from "../data/hash-info.js";

/**
 * Writes a stream to `destFile` only if its bytes hash to `hash`: written to a temporary file beside it (same
 * folder, so the rename is atomic), checked, made read-only (cache objects are 0444), then renamed into place. A
 * mismatch or a failure removes the temporary file: the destination never holds a partial or wrong object.
 */
export const receiveVerified = async (
  hash: string,
  /** Opened only once the destination folder exists, so that an early error of the source always has a listener. */
  open: () => Readable | AsyncIterable<Uint8Array>,
  destFile: string,
  from: string,
): Promise<void> => {
  await mkdir(path.dirname(destFile), { recursive: true });
  const temp = `${destFile}.${randomBytes(6).toString("hex")}.tmp`;
  const digest = createHash("sha256");
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      digest.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(open(), hashing, createWriteStream(temp, { flags: "wx", mode: 0o644 }));
    const actual = digest.digest("hex");
    if (actual !== hexOf(hash)) {
      throw new PipelineError(`object ${hash} from ${from} is corrupted (its bytes hash to ${actual}); it was not placed in the cache`);
    }
    await chmod(temp, 0o444);
    await rename(temp, destFile);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
};

/** Folders known to exist (objects go into 256 prefix folders): one mkdir each per process, not one per object. */
const madeDirs = new Set<string>();

/**
 * receiveVerified for bytes already in memory (a small object of a batch): checked, written read-only to a temporary
 * file beside the destination in one call, renamed into place. Same guarantees, a third of the system calls. The
 * calls are synchronous on purpose: for objects of a few KiB, a round trip through libuv's four-thread pool per call
 * cost more than the write itself (a pull of 10,000 small files spent most of its time queued there).
 */
export const placeVerifiedBytes = (hash: string, bytes: Buffer, destFile: string, from: string): void => {
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== hexOf(hash)) throw new PipelineError(`object ${hash} from ${from} is corrupted (its bytes hash to ${actual}); it was not placed in the cache`);
  const dir = path.dirname(destFile);
  if (!madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    if (madeDirs.size < 100_000) madeDirs.add(dir);
  }
  const temp = `${destFile}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, bytes, { flag: "wx", mode: 0o444 });
    renameSync(temp, destFile);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
};

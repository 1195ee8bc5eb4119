import { createHash, randomUUID } from "node:crypto";
import { createWriteStream, fdatasync, type WriteStream } from "node:fs";
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

/**
 * While a durable file is written, every WRITEBACK_STEP bytes a data sync of what is written so far starts in the
 * background (one at a time, never awaited on the way): the disk writes the file back while the rest of the body
 * arrives, and the final fsync flushes only the tail. Without it the whole file sat in the page cache until the
 * end, and the upload's last byte was followed by a flush of all of it (0.5-1 s for 500 MiB on this disk).
 */
const WRITEBACK_STEP = 32 * 1024 * 1024;

export const streamToTempFile = async (
  source: ByteSource,
  stagingDir: string,
  options: { md5?: boolean; sync?: boolean } = {},
): Promise<TempFile> => {
  const tempPath = path.join(stagingDir, `${stagingOwnerTag()}${randomUUID()}.part`);
  const durable = options.sync !== false;
  let size = 0;
  const hash = options.md5 ? createHash("md5") : undefined;
  const sha256 = createHash("sha256");
  const file = createWriteStream(tempPath, { flags: "wx", highWaterMark: 1024 * 1024 });
  const writeback = durable ? new BackgroundWriteback(file) : undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      hash?.update(chunk);
      sha256.update(chunk);
      writeback?.passed(size);
      done(null, chunk);
    },
    // The stream closes its descriptor when it finishes: a data sync still running on it ends first.
    flush(done) {
      void (writeback?.settled() ?? Promise.resolve()).then(() => done());
    },
  });
  try {
    await pipeline(source, meter, file);
    if (!durable) return { path: tempPath, size, sha256: sha256.digest("hex"), ...(hash ? { md5: hash.digest("hex") } : {}) };
    // fsync flushes the file's data whichever descriptor asks (a FileHandle write stream that stays open for the
    // sync never settles its pipeline on Node 20).
    const handle = await open(tempPath, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await writeback?.settled();
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  return { path: tempPath, size, sha256: sha256.digest("hex"), ...(hash ? { md5: hash.digest("hex") } : {}) };
};

/** The background data syncs of one file being written (see WRITEBACK_STEP). */
class BackgroundWriteback {
  private nextAt = WRITEBACK_STEP;
  private inFlight: Promise<void> | undefined;
  /** The stream's descriptor while it is open. */
  private fd: number | undefined;

  constructor(file: WriteStream) {
    file.once("open", (fd: number) => (this.fd = fd));
    file.once("close", () => (this.fd = undefined));
  }

  /** `bytes` have passed towards the file: starts a data sync when a step is crossed and none is running. */
  passed(bytes: number): void {
    if (bytes < this.nextAt || this.inFlight !== undefined) return;
    const fd = this.fd;
    if (fd === undefined) return;
    this.nextAt = bytes + WRITEBACK_STEP;
    // A failed background sync is not the write's failure: the final fsync reports whatever the disk refuses.
    this.inFlight = new Promise<void>((resolve) => fdatasync(fd, () => resolve())).finally(() => (this.inFlight = undefined));
  }

  async settled(): Promise<void> {
    await this.inFlight;
  }
}

/** Moves a finished temporary file into place, or removes it if that fails. */
export const commitTempFile = async (tempPath: string, target: string): Promise<void> => {
  try {
    await rename(tempPath, target);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
};

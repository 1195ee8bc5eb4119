import { createHash } from "node:crypto";
import { open, readFile } from "node:fs/promises";

/**
 * sha256 of a file's bytes, fast. Small files are read in one call (one open, one read, one close: the per-file
 * overhead dominates for them); large ones are read in 4 MiB chunks with the next read already in flight while the
 * current one is hashed, so the disk (libuv's pool) and the hash (this thread, OpenSSL with the CPU's SHA
 * instructions) work at the same time.
 */
export const SMALL_FILE_BYTES = 4 * 1024 * 1024;
const CHUNK_BYTES = 4 * 1024 * 1024;

export const hashBytes = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

export const hashFile = async (path: string, sizeHint?: number): Promise<string> => {
  if (sizeHint !== undefined && sizeHint <= SMALL_FILE_BYTES) return hashBytes(await readFile(path));
  const handle = await open(path, "r");
  try {
    const hash = createHash("sha256");
    const buffers: Buffer[] = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
    let turn = 0;
    let pending = handle.read(buffers[0] as Buffer, 0, CHUNK_BYTES, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const current = buffers[turn] as Buffer;
      turn = 1 - turn;
      pending = handle.read(buffers[turn] as Buffer, 0, CHUNK_BYTES, null);
      hash.update(bytesRead === CHUNK_BYTES ? current : current.subarray(0, bytesRead));
    }
    return hash.digest("hex");
  } finally {
    await handle.close();
  }
};

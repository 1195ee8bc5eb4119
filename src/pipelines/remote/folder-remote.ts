import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { objectPath } from "../data/cache-layout.js";
import { forEachLimit } from "./pool.js";
import { receiveVerified } from "./receive.js";
import { ObjectNotOnRemote, type Remote } from "./remote.js";

/** Stats in flight for an existence check of a folder (a network share answers slowly, a local disk fast). */
const STAT_CONCURRENCY = 32;

const exists = async (file: string): Promise<boolean> => {
  try {
    return (await stat(file)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return false;
    throw error;
  }
};

/**
 * A remote that is a folder laid out like a cache (`files/sha256/ab/…`): a mounted share, a USB disk, a second
 * workspace's cache. Objects are written through a temporary file beside their place and verified on the way in
 * both directions, so neither side ever holds a wrong or partial object.
 */
export class FolderRemote implements Remote {
  constructor(
    readonly label: string,
    private readonly root: string,
  ) {}

  async missing(hashes: readonly string[]): Promise<string[]> {
    const unique = [...new Set(hashes)];
    const absent = new Set<string>();
    const failures = await forEachLimit(unique, STAT_CONCURRENCY, async (hash) => {
      if (!(await exists(objectPath(this.root, hash)))) absent.add(hash);
    });
    if (failures[0] !== undefined) throw failures[0].error;
    return unique.filter((hash) => absent.has(hash));
  }

  async upload(hash: string, file: string): Promise<void> {
    await receiveVerified(hash, () => createReadStream(file), objectPath(this.root, hash), `the local cache (${file})`);
  }

  async download(hash: string, destFile: string): Promise<void> {
    const source = objectPath(this.root, hash);
    if (!(await exists(source))) throw new ObjectNotOnRemote(hash, this.label);
    await receiveVerified(hash, () => createReadStream(source), destFile, `remote '${this.label}'`);
  }

  async close(): Promise<void> {}
}

import { createHash } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { objectPath } from "../../data/cache-layout.js";
import { manifestHash, serializeManifest, type DirEntry } from "../../data/dir-manifest.js";
import type { HashInfo } from "../../data/hash-info.js";

/** Test objects written straight into a cache folder with its layout (read-only, as the cache keeps them). */
export const sha256 = (bytes: string | Buffer): string => createHash("sha256").update(bytes).digest("hex");

export const putObject = async (cacheDir: string, hash: string, bytes: string | Buffer): Promise<void> => {
  const file = objectPath(cacheDir, hash);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  await chmod(file, 0o444);
};

export const addFile = async (cacheDir: string, bytes: string): Promise<HashInfo> => {
  const hash = sha256(bytes);
  await putObject(cacheDir, hash, bytes);
  return { hash, size: Buffer.byteLength(bytes) };
};

/** A directory version: each file's object and the manifest. */
export const addDir = async (cacheDir: string, files: Record<string, string>, options: { writeFiles?: boolean } = {}): Promise<HashInfo & { files: string[] }> => {
  const entries: DirEntry[] = [];
  for (const [relpath, bytes] of Object.entries(files)) {
    const hash = sha256(bytes);
    if (options.writeFiles !== false) await putObject(cacheDir, hash, bytes);
    entries.push({ relpath, sha256: hash, size: Buffer.byteLength(bytes) });
  }
  const manifest = serializeManifest(entries);
  const hash = manifestHash(manifest);
  await putObject(cacheDir, hash, manifest);
  return { hash, size: entries.reduce((sum, entry) => sum + entry.size, 0), nfiles: entries.length, files: entries.map((entry) => entry.sha256) };
};

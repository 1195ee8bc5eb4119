import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { storeKeyOfArtifactUri } from "../../artifacts/artifact-uri.js";
import type { ArtifactStore } from "../../artifacts/store.js";
import { notFound } from "../../core/errors.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { DigestingStream, type FileDigest, type FileManifest } from "../../registry/integrity/file-manifest.js";
import { isOrphanedStaging, stagingOwnerTag, TEMP_FILE_MAX_AGE_MS } from "../../stores/artifact-stores/local/stale.js";

/** A local path of a model version's files (onnxruntime reads files, not streams). */
export type Materializer = (version: ModelVersion) => Promise<string>;

export interface ArtifactMaterializerOptions {
  store: ArtifactStore;
  /** Where the version's files are (the registry resolves runs:/ and models:/ sources to an artifact URI). */
  downloadUri: (name: string, version: string) => Promise<string>;
  /** The cache folder; one sub-folder per model and version. */
  cacheDir: string;
  /** The registry's pins (registry/integrity): a copy that differs from them is refused; absent: nothing is checked. */
  integrity?: ServedFilesCheck;
}

/** What serving asks of the registry's integrity checks before a version's files may be loaded. */
export interface ServedFilesCheck {
  /** Throws (naming the file) when the copy differs from the version's pinned files; pins them when it has none. */
  checkServedCopy(name: string, version: string, copy: FileManifest): Promise<void>;
  manifestOf(name: string, version: string): Promise<unknown>;
}

/** File-system-safe and injective: model names may hold any character but '/'. */
const safeSegment = (text: string): string => encodeURIComponent(text).replaceAll("*", "%2A").replace(/^\.+/, (dots) => "%2E".repeat(dots.length));

/** Copies a folder tree, hashing every file on the way: the digests (paths relative to the tree) go in `digests`. */
const copyTree = async (store: ArtifactStore, key: string, target: string, prefix: string, digests: FileDigest[]): Promise<void> => {
  await mkdir(target, { recursive: true });
  for (const entry of await store.list(key)) {
    const name = entry.key.slice(entry.key.lastIndexOf("/") + 1);
    const destination = path.join(target, name);
    const relative = prefix === "" ? name : `${prefix}/${name}`;
    if (entry.isDir) await copyTree(store, entry.key, destination, relative, digests);
    else digests.push(await copyFile(store, entry.key, destination, relative));
  }
};

/** The bytes written are the bytes hashed: the check needs no second read of the file. */
const copyFile = async (store: ArtifactStore, key: string, destination: string, relative: string): Promise<FileDigest> => {
  const content = await store.read(key);
  const meter = new DigestingStream();
  await pipeline(content.stream, meter, createWriteStream(destination));
  return { path: relative, size: meter.size, sha256: meter.digest() };
};

/** Digests of a cached copy (made before versions were pinned), to pin the version on its first use. */
const digestLocalTree = async (dir: string, prefix: string, digests: FileDigest[]): Promise<void> => {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      await digestLocalTree(full, relative, digests);
    } else {
      const meter = new DigestingStream();
      for await (const _chunk of createReadStream(full).pipe(meter)) {
        // counted and hashed by the meter
      }
      digests.push({ path: relative, size: meter.size, sha256: meter.digest() });
    }
  }
};

const exists = async (p: string): Promise<boolean> => {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
};

/** The staging folders a copy leaves when the process dies mid-copy (kill -9 skips the `finally` that removes them). */
const STAGING_PREFIX = "staging-";

/**
 * Removes `<cacheDir>/<model>/<version>/staging-*` folders that no live process owns: leftovers of copies that a crash
 * interrupted, at once when a process of this host made them (see stagingOwnerTag), else once untouched for
 * TEMP_FILE_MAX_AGE_MS (a younger one may be another host's replica copying right now: replicas may share the cache).
 */
export const sweepStaleStaging = async (cacheDir: string, now: number = Date.now()): Promise<number> => {
  let removed = 0;
  const children = async (dir: string): Promise<string[]> => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name));
  for (const model of await children(cacheDir)) {
    for (const version of await children(model)) {
      const staging = (await children(version)).filter((dir) => path.basename(dir).startsWith(STAGING_PREFIX));
      for (const dir of staging) {
        const info = await stat(dir).catch(() => undefined);
        if (info !== undefined && isOrphanedStaging(path.basename(dir), info.mtimeMs, TEMP_FILE_MAX_AGE_MS, now)) {
          await rm(dir, { recursive: true, force: true });
          removed += 1;
        }
      }
    }
  }
  return removed;
};

/**
 * Copies a version's files from the artifact store into `<cacheDir>/<model>/<version>-<creation time>/files` once
 * and returns that path (a bare .onnx file: the file inside it). The copy is made in a temporary folder and renamed
 * into place, so that a crash mid-copy never leaves a half-written model that a later start would load; the creation
 * time in the key keeps a deleted and re-created version number from reusing stale files.
 */
export const artifactMaterializer = (options: ArtifactMaterializerOptions): Materializer => {
  const pending = new Map<string, Promise<string>>();
  // Once per process, before the first copy: what an earlier crash left in the cache goes.
  let swept: Promise<unknown> | undefined;
  const materialize = async (version: ModelVersion): Promise<string> => {
    await (swept ??= sweepStaleStaging(options.cacheDir).catch(() => 0));
    const key = storeKeyOfArtifactUri("", await options.downloadUri(version.name, version.version));
    const entry = await options.store.stat(key);
    if (entry === undefined) throw notFound(`The files of model '${version.name}' version ${version.version} are missing from the artifact store ('${key}').`);
    const folder = path.join(options.cacheDir, safeSegment(version.name), `${safeSegment(version.version)}-${version.creation_timestamp}`);
    const fileName = entry !== undefined && !entry.isDir ? key.slice(key.lastIndexOf("/") + 1) : undefined;
    const result = fileName === undefined ? path.join(folder, "files") : path.join(folder, "files", fileName);
    if (await exists(path.join(folder, "files"))) {
      // A copy from before versions were pinned: it is what this version has served, so it becomes its manifest.
      if (options.integrity !== undefined && (await options.integrity.manifestOf(version.name, version.version)) === undefined) {
        const digests: FileDigest[] = [];
        await digestLocalTree(path.join(folder, "files"), "", digests);
        const files = fileName !== undefined ? digests.map((digest) => ({ ...digest, path: "" })) : digests;
        await options.integrity.checkServedCopy(version.name, version.version, { rootKey: key, rootIsFile: fileName !== undefined, files });
      }
      return result;
    }
    await mkdir(folder, { recursive: true });
    const staging = await mkdtemp(path.join(folder, `${STAGING_PREFIX}${stagingOwnerTag()}`));
    try {
      const digests: FileDigest[] = [];
      if (fileName !== undefined) {
        await mkdir(path.join(staging, "files"));
        digests.push(await copyFile(options.store, key, path.join(staging, "files", fileName), ""));
      } else {
        await copyTree(options.store, key, path.join(staging, "files"), "", digests);
      }
      // Checked before the rename: a refused copy never becomes the cache a later start would load.
      await options.integrity?.checkServedCopy(version.name, version.version, { rootKey: key, rootIsFile: fileName !== undefined, files: digests });
      await rename(path.join(staging, "files"), path.join(folder, "files"));
    } catch (error) {
      // Another process may have won the rename; its copy is as good as ours.
      if (!(await exists(path.join(folder, "files")))) throw error;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return result;
  };
  return (version) => {
    const id = `${version.name}\u0000${version.version}\u0000${version.creation_timestamp}`;
    let promise = pending.get(id);
    if (promise === undefined) {
      promise = materialize(version).finally(() => pending.delete(id));
      pending.set(id, promise);
    }
    return promise;
  };
};

import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { storeKeyOfArtifactUri } from "../../artifacts/artifact-uri.js";
import type { ArtifactStore } from "../../artifacts/store.js";
import { notFound } from "../../core/errors.js";
import type { ModelVersion } from "../../protocol/mlflow/registry-entities.js";
import { TEMP_FILE_MAX_AGE_MS } from "../../stores/artifact-stores/local/stale.js";

/** A local path of a model version's files (onnxruntime reads files, not streams). */
export type Materializer = (version: ModelVersion) => Promise<string>;

export interface ArtifactMaterializerOptions {
  store: ArtifactStore;
  /** Where the version's files are (the registry resolves runs:/ and models:/ sources to an artifact URI). */
  downloadUri: (name: string, version: string) => Promise<string>;
  /** The cache folder; one sub-folder per model and version. */
  cacheDir: string;
}

/** File-system-safe and injective: model names may hold any character but '/'. */
const safeSegment = (text: string): string => encodeURIComponent(text).replaceAll("*", "%2A").replace(/^\.+/, (dots) => "%2E".repeat(dots.length));

const copyTree = async (store: ArtifactStore, key: string, target: string): Promise<void> => {
  await mkdir(target, { recursive: true });
  for (const entry of await store.list(key)) {
    const name = entry.key.slice(entry.key.lastIndexOf("/") + 1);
    const destination = path.join(target, name);
    if (entry.isDir) await copyTree(store, entry.key, destination);
    else await copyFile(store, entry.key, destination);
  }
};

const copyFile = async (store: ArtifactStore, key: string, destination: string): Promise<void> => {
  const content = await store.read(key);
  await pipeline(content.stream, createWriteStream(destination));
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
 * Removes `<cacheDir>/<model>/<version>/staging-*` folders untouched for TEMP_FILE_MAX_AGE_MS: leftovers of copies that
 * a crash interrupted. A younger one may be another replica's copy in progress (replicas may share the cache).
 */
export const sweepStaleStaging = async (cacheDir: string, now: number = Date.now()): Promise<number> => {
  let removed = 0;
  const children = async (dir: string): Promise<string[]> => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name));
  for (const model of await children(cacheDir)) {
    for (const version of await children(model)) {
      const staging = (await children(version)).filter((dir) => path.basename(dir).startsWith(STAGING_PREFIX));
      for (const dir of staging) {
        const info = await stat(dir).catch(() => undefined);
        if (info !== undefined && now - info.mtimeMs > TEMP_FILE_MAX_AGE_MS) {
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
    if (await exists(path.join(folder, "files"))) return result;
    await mkdir(folder, { recursive: true });
    const staging = await mkdtemp(path.join(folder, STAGING_PREFIX));
    try {
      if (fileName !== undefined) {
        await mkdir(path.join(staging, "files"));
        await copyFile(options.store, key, path.join(staging, "files", fileName));
      } else {
        await copyTree(options.store, key, path.join(staging, "files"));
      }
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

import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { PipelineError } from "../errors.js";
import { objectPath } from "../data/cache-layout.js";
import { parseManifest } from "../data/dir-manifest.js";
import { isDirHash, type HashInfo } from "../data/hash-info.js";
import { forEachLimit } from "./pool.js";
import { ObjectNotOnRemote, type Remote } from "./remote.js";

/**
 * push and fetch of cache objects. The order keeps one promise on both sides: a directory's manifest is placed only
 * after every file it lists, so no cache or remote ever holds a manifest whose files it lacks (an interrupted push
 * or fetch leaves files without a manifest, which the next run completes).
 */
export interface TransferReport {
  /** Objects sent or received. */
  transferred: number;
  /** Objects the other side already had. */
  present: number;
  failed: Array<{ hash: string; message: string }>;
}

const PRESENCE_CONCURRENCY = 32;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const isPresent = async (file: string): Promise<boolean> => {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
};

/** The files a local manifest lists, or undefined (with a failure recorded) when it is missing or malformed. */
const localManifestFiles = async (cacheDir: string, hash: string, failed: TransferReport["failed"]): Promise<string[] | undefined> => {
  const file = objectPath(cacheDir, hash);
  try {
    return parseManifest(await readFile(file), file).map((entry) => entry.sha256);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    failed.push({ hash, message: code === "ENOENT" ? `object ${hash} is not in the local cache` : messageOf(error) });
    return undefined;
  }
};

export const pushObjects = async (cacheDir: string, remote: Remote, infos: readonly HashInfo[], jobs: number): Promise<TransferReport> => {
  const report: TransferReport = { transferred: 0, present: 0, failed: [] };
  const files = new Set<string>();
  const manifests = new Map<string, string[]>();
  for (const { hash } of infos) {
    if (!isDirHash(hash)) {
      files.add(hash);
      continue;
    }
    if (manifests.has(hash)) continue;
    const listed = await localManifestFiles(cacheDir, hash, report.failed);
    if (listed === undefined) continue;
    manifests.set(hash, listed);
    for (const file of listed) files.add(file);
  }

  const sendAll = async (hashes: string[]): Promise<Set<string>> => {
    const missing = await remote.missing(hashes);
    report.present += hashes.length - missing.length;
    const failures = remote.uploadMany
      ? (await remote.uploadMany(missing.map((hash) => ({ hash, file: objectPath(cacheDir, hash) })), jobs)).map(({ hash, error }) => ({ item: hash, error }))
      : await forEachLimit(missing, jobs, (hash) => remote.upload(hash, objectPath(cacheDir, hash)));
    report.transferred += missing.length - failures.length;
    for (const { item, error } of failures) {
      const code = (error as NodeJS.ErrnoException).code;
      report.failed.push({ hash: item, message: code === "ENOENT" ? `object ${item} is not in the local cache` : messageOf(error) });
    }
    return new Set(failures.map(({ item }) => item));
  };

  const failedFiles = await sendAll([...files]);
  const complete: string[] = [];
  for (const [hash, listed] of manifests) {
    const lacking = listed.filter((file) => failedFiles.has(file)).length;
    if (lacking === 0) complete.push(hash);
    else report.failed.push({ hash, message: `directory ${hash} was not pushed: ${lacking} of its ${listed.length} files failed` });
  }
  await sendAll(complete);
  return report;
};

export interface FetchOptions {
  jobs: number;
  /** Where manifests wait until their files are in (the workspace's .cairn/tmp; same file system as the cache). */
  tmpDir: string;
  /** Told of each object placed in the cache (verified on the way), e.g. to remember it as verified. */
  onPlaced?: (hash: string, file: string) => void;
}

export const fetchObjects = async (cacheDir: string, remote: Remote, infos: readonly HashInfo[], options: FetchOptions): Promise<TransferReport> => {
  const report: TransferReport = { transferred: 0, present: 0, failed: [] };
  const files = new Set<string>();
  /** Manifests received into tmpDir this run, placed after their files. */
  const pending = new Map<string, { temp: string; files: string[] }>();
  const seenDirs = new Set<string>();
  await mkdir(options.tmpDir, { recursive: true });
  const receive = async (hash: string, dest: string): Promise<void> => {
    try {
      await remote.download(hash, dest);
    } catch (error) {
      if (error instanceof ObjectNotOnRemote) throw new PipelineError(error.message);
      throw error;
    }
  };

  for (const { hash } of infos) {
    if (!isDirHash(hash)) {
      files.add(hash);
      continue;
    }
    if (seenDirs.has(hash)) continue;
    seenDirs.add(hash);
    const cached = objectPath(cacheDir, hash);
    let manifestFile = cached;
    if (!(await isPresent(cached))) {
      manifestFile = path.join(options.tmpDir, `${hash}.${randomBytes(6).toString("hex")}`);
      try {
        await receive(hash, manifestFile);
      } catch (error) {
        report.failed.push({ hash, message: messageOf(error) });
        continue;
      }
    } else {
      report.present += 1;
    }
    let listed: string[];
    try {
      listed = parseManifest(await readFile(manifestFile), manifestFile).map((entry) => entry.sha256);
    } catch (error) {
      report.failed.push({ hash, message: messageOf(error) });
      if (manifestFile !== cached) await rm(manifestFile, { force: true });
      continue;
    }
    if (manifestFile !== cached) pending.set(hash, { temp: manifestFile, files: listed });
    for (const file of listed) files.add(file);
  }

  // Which files the cache lacks: stats in parallel (10,000 one after another cost a second under load).
  const all = [...files];
  const present = new Array<boolean>(all.length).fill(false);
  const indexes = all.map((_hash, index) => index);
  await forEachLimit(indexes, PRESENCE_CONCURRENCY, async (index) => {
    present[index] = await isPresent(objectPath(cacheDir, all[index] ?? ""));
  });
  const wanted = all.filter((_hash, index) => present[index] !== true);
  report.present += all.length - wanted.length;
  const failures = remote.downloadMany
    ? (await remote.downloadMany(wanted.map((hash) => ({ hash, destFile: objectPath(cacheDir, hash) })), options.jobs)).map(({ hash, error }) => ({ item: hash, error }))
    : await forEachLimit(wanted, options.jobs, (hash) => receive(hash, objectPath(cacheDir, hash)));
  report.transferred += wanted.length - failures.length;
  for (const { item, error } of failures) report.failed.push({ hash: item, message: messageOf(error) });
  const failedFiles = new Set(failures.map(({ item }) => item));
  if (options.onPlaced) for (const hash of wanted) if (!failedFiles.has(hash)) options.onPlaced(hash, objectPath(cacheDir, hash));

  for (const [hash, { temp, files: listed }] of pending) {
    const lacking = listed.filter((file) => failedFiles.has(file)).length;
    if (lacking > 0) {
      await rm(temp, { force: true });
      report.failed.push({ hash, message: `directory ${hash} was not fetched: ${lacking} of its ${listed.length} files failed` });
      continue;
    }
    const dest = objectPath(cacheDir, hash);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(temp, dest);
    options.onPlaced?.(hash, dest);
    report.transferred += 1;
  }
  return report;
};
